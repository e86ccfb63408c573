"""CS 229br HW0 Q2.3: text-to-image search with CLIP embeddings and an exact L2 Faiss index.

faiss and open_clip belong to this assignment only, so they are imported inside the functions.
Shapes: N images, Q queries, D embedding size, k results per query.
"""

from pathlib import Path

import numpy as np
import torch

CLIP_NAME = "ViT-B-32"
CLIP_WEIGHTS = "openai"


def load_clip(cache_dir=None, name=CLIP_NAME, pretrained=CLIP_WEIGHTS):
    """(model, preprocess, tokenizer) of CLIP from open_clip, in eval mode.

    The weights come from `cache_dir` (open_clip's download cache, e.g. ~/.cache/clip) and are
    downloaded there only when missing and the machine is online.
    """
    import open_clip

    model, _, preprocess = open_clip.create_model_and_transforms(
        name, pretrained=pretrained, cache_dir=None if cache_dir is None else str(cache_dir))
    return model.eval(), preprocess, open_clip.get_tokenizer(name)


def normalize(x: torch.Tensor) -> torch.Tensor:
    """Rows scaled to unit L2 norm. x: (N, D) -> (N, D)."""
    return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    """L2-normalized CLIP image embeddings, computed in batches without recording gradients.

    images: a (N, 3, H, W) tensor or any sequence of such tensors; returns (N, D) float32 numpy.
    With `cache` (a .npy path) the result is saved there and loaded back on the next call.
    """
    from tqdm.auto import tqdm

    if cache is not None and Path(cache).exists():
        return np.load(cache, allow_pickle=False)
    chunks = []
    with torch.no_grad():
        for start in tqdm(range(0, len(images), batch_size), desc="embedding", leave=False):
            batch = torch.stack(list(images[start:start + batch_size])).to(device)
            chunks.append(normalize(model.encode_image(batch).float()).cpu())
    embeddings = torch.cat(chunks).numpy().astype(np.float32)
    if cache is not None:
        np.save(cache, embeddings, allow_pickle=False)
    return embeddings


def embed_texts(model, tokenizer, texts, device="cpu"):
    """L2-normalized CLIP text embeddings of a list of strings: (len(texts), D) numpy."""
    with torch.no_grad():
        tokens = tokenizer(list(texts)).to(device)
        return normalize(model.encode_text(tokens).float()).cpu().numpy()


def make_index(dim: int):
    """An exact L2 Faiss index: on the GPU when faiss sees one, else IndexFlatL2 on the CPU."""
    import faiss

    index = faiss.IndexFlatL2(dim)
    if hasattr(faiss, "get_num_gpus") and faiss.get_num_gpus() > 0:
        return faiss.index_cpu_to_gpu(faiss.StandardGpuResources(), 0, index)
    return index


def search_top_k(image_embeddings, query_embeddings, k=5):
    """Indices of the k images nearest each query in Euclidean distance, nearest first.

    image_embeddings: (N, D), query_embeddings: (Q, D) -> (Q, k) int64. The vectors are searched
    as given (no normalization here). Among exactly equal distances any order is correct.
    """
    image_embeddings = np.ascontiguousarray(image_embeddings, dtype=np.float32)
    index = make_index(image_embeddings.shape[1])
    index.add(image_embeddings)
    _, found = index.search(np.ascontiguousarray(query_embeddings, dtype=np.float32), k)
    return found.astype(np.int64)


def top_k_accuracy(retrieved_labels, query_labels):
    """Per query, the share of its k results whose label is the query's.

    retrieved_labels: (Q, k) ints, query_labels: (Q,) ints -> (Q,) floats in [0, 1].
    """
    retrieved_labels = np.asarray(retrieved_labels)
    hits = retrieved_labels == np.asarray(query_labels)[:, None]
    return hits.sum(axis=1) / retrieved_labels.shape[1]


def mean_accuracy(retrieved_labels, query_labels) -> float:
    """The mean over queries (one query per label) of top_k_accuracy."""
    return float(top_k_accuracy(retrieved_labels, query_labels).mean())


def read_tiny_imagenet(root):
    """The TinyImageNet folder: {"wnids": [...], "words": {wnid: text}, "train": [(path, wnid)],
    "val": [(path, wnid)]}, read from train/<wnid>/images/*, val/images/* with
    val/val_annotations.txt (file, wnid, box...) and words.txt (wnid, text)."""
    root = Path(root)
    words = {}
    for line in (root / "words.txt").read_text().splitlines():
        wnid, _, text = line.partition("\t")
        words[wnid] = text.strip()
    wnids = sorted(p.name for p in (root / "train").iterdir() if p.is_dir())
    train = [(path, wnid) for wnid in wnids
             for path in sorted((root / "train" / wnid / "images").iterdir())]
    val = []
    for line in (root / "val" / "val_annotations.txt").read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            val.append((root / "val" / "images" / fields[0], fields[1]))
    return {"wnids": wnids, "words": {w: words.get(w, w) for w in wnids}, "train": train,
            "val": val}


TINY_CLIP = {"embed_dim": 32,
             "vision_cfg": {"image_size": 32, "patch_size": 8, "width": 64, "layers": 2,
                            "head_width": 32},
             "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 64, "heads": 2,
                          "layers": 2}}


def tiny_clip(seed=0):
    """(model, tokenizer): an open_clip CLIP of TINY_CLIP's size with random weights, built
    offline (for tests and demos; its embeddings carry no meaning). Images are (N, 3, 32, 32)."""
    import open_clip

    torch.manual_seed(seed)
    model = open_clip.CLIP(**TINY_CLIP).eval()
    tokenizer = open_clip.tokenizer.SimpleTokenizer(context_length=TINY_CLIP["text_cfg"][
        "context_length"])
    return model, tokenizer
