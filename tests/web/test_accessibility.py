"""The accessibility check itself: axe-core, as the browser tests run it, does fail a page
with serious faults (so a clean result on the real pages means something)."""

import pytest

pytestmark = pytest.mark.browser


def test_the_audit_fails_a_page_with_serious_violations(browser, audit):
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
        with pytest.raises(AssertionError, match="serious or critical violations") as found:
            audit(page, "broken on purpose")
        assert "image-alt" in str(found.value) and "label" in str(found.value)
    finally:
        page.close()
