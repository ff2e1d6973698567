"""Question-bank formats: quizsvc's YAML/JSON, the seed Markdown, GIFT, Moodle XML, QTI 3.0."""

# Named here, apart from the readers, so that schemas can offer them without importing those.
IMPORT_FORMATS = ("yaml", "json", "gift", "moodle", "qti", "markdown")
EXPORT_FORMATS = ("yaml", "json", "gift", "moodle", "qti")
