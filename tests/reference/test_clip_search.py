"""reference.clip_search against independent oracles: numpy brute force for the search, the
tiny open_clip model called in one batch for the embeddings, explicit loops for the accuracy."""

import numpy as np
import pytest
import torch

from reference import clip_search


@pytest.fixture(scope="module")
def tiny():
    return clip_search.tiny_clip()


def test_make_index_is_exact_l2_on_the_device_faiss_sees():
    import faiss

    index = clip_search.make_index(8)
    expected = faiss.GpuIndexFlatL2 if faiss.get_num_gpus() > 0 else faiss.IndexFlatL2
    assert isinstance(index, expected) and index.metric_type == faiss.METRIC_L2


@pytest.mark.parametrize("k", [1, 5, 17])
def test_search_matches_a_numpy_brute_force(k):
    rng = np.random.default_rng(k)
    images = rng.standard_normal((300, 24)).astype(np.float32) * rng.uniform(0.2, 3, (300, 1))
    queries = rng.standard_normal((9, 24)).astype(np.float32)
    distances = ((queries[:, None].astype(np.float64) - images[None]) ** 2).sum(-1)
    expected = np.argsort(distances, axis=1)[:, :k]
    found = clip_search.search_top_k(images, queries, k)
    assert found.dtype == np.int64
    np.testing.assert_array_equal(found, expected)


def test_embed_images_normalizes_batches_without_grad_and_caches(tiny, tmp_path):
    model, _ = tiny
    images = torch.randn(7, 3, 32, 32)
    with torch.no_grad():
        whole = model.encode_image(images)
    expected = (whole / whole.norm(dim=1, keepdim=True)).numpy()
    cache = tmp_path / "emb.npy"
    got = clip_search.embed_images(model, list(images), batch_size=3, cache=cache)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert got.dtype == np.float32 and cache.is_file()

    class Exploding:
        def encode_image(self, batch):
            raise AssertionError("the cache was not used")

    np.testing.assert_array_equal(clip_search.embed_images(Exploding(), images, cache=cache), got)


def test_embed_images_records_no_gradient():
    weight = torch.randn(12, 4, requires_grad=True)
    seen = []

    class Encoder:
        def encode_image(self, batch):
            seen.append(torch.is_grad_enabled())
            return batch.flatten(1) @ weight

    clip_search.embed_images(Encoder(), torch.randn(5, 3, 2, 2), batch_size=2)
    assert seen == [False, False, False]


def test_embed_texts_are_unit_rows(tiny):
    model, tokenizer = tiny
    got = clip_search.embed_texts(model, tokenizer, ["a go-kart", "a scorpion", "a red car"])
    assert got.shape == (3, clip_search.TINY_CLIP["embed_dim"])
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)


def test_accuracy_matches_its_definition():
    rng = np.random.default_rng(0)
    retrieved, query = rng.integers(0, 3, (6, 5)), rng.integers(0, 3, 6)
    by_loop = [sum(int(r == q) for r in row) / 5 for row, q in zip(retrieved, query)]
    np.testing.assert_allclose(clip_search.top_k_accuracy(retrieved, query), by_loop)
    assert clip_search.mean_accuracy(retrieved, query) == pytest.approx(np.mean(by_loop))


def test_read_tiny_imagenet_layout(tmp_path):
    for wnid in ("n02", "n01"):
        (tmp_path / "train" / wnid / "images").mkdir(parents=True)
        for i in range(2):
            (tmp_path / "train" / wnid / "images" / f"{wnid}_{i}.JPEG").write_bytes(b"")
    (tmp_path / "val" / "images").mkdir(parents=True)
    (tmp_path / "val" / "val_annotations.txt").write_text(
        "val_0.JPEG\tn02\t0\t0\t10\t10\nval_1.JPEG\tn01\t1\t1\t5\t5\n")
    (tmp_path / "words.txt").write_text("n01\tgoldfish, Carassius auratus\nn02\tscorpion\n"
                                        "n09\tnot in train\n")
    data = clip_search.read_tiny_imagenet(tmp_path)
    assert data["wnids"] == ["n01", "n02"]
    assert data["words"] == {"n01": "goldfish, Carassius auratus", "n02": "scorpion"}
    assert [(p.name, w) for p, w in data["train"]] == [
        ("n01_0.JPEG", "n01"), ("n01_1.JPEG", "n01"), ("n02_0.JPEG", "n02"),
        ("n02_1.JPEG", "n02")]
    assert [(p.name, w) for p, w in data["val"]] == [("val_0.JPEG", "n02"), ("val_1.JPEG", "n01")]
