"""Wrong answers for the cs229br_hw0 end-to-end tests: short, independent implementations, each
wrong in one way a student could plausibly be (none is copied from reference/)."""

from tests.graders_comp499.notebooks import Wrong

SEARCH = '''
def search_top_k(image_embeddings, query_embeddings, k=5):
    import faiss

    images = np.ascontiguousarray(image_embeddings, dtype=np.float32)
    queries = np.ascontiguousarray(query_embeddings, dtype=np.float32)
    {body}
'''

WRONG = {
    "constant_one": Wrong("q12", 'answer_c = "1"', ("c differs from the expected answer",)),
    "cnn_without_batch_norm": Wrong("q21_model", '''
class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.Sequential(  # wrong: no batch norm
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
            nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        return self.out(self.convs(x))


def train_step(model, optimizer, images, labels):
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return float(loss)
''', ("CifarNet: expected a BatchNorm2d after each of its 4 convolutions, got 0",), kept=3.0),
    "step_with_mse": Wrong("q21_model", '''
def train_step(model, optimizer, images, labels):
    model.train()
    optimizer.zero_grad()
    target = F.one_hot(labels, 10).float()
    loss = F.mse_loss(model(images), target)  # wrong: the handout's loss is cross-entropy
    loss.backward()
    optimizer.step()
    return loss.item()
''', ("train_step: the losses of two steps on one batch: relative difference",), kept=3.0),
    "embeddings_not_normalized": Wrong("q23_embed", '''
def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(model.encode_image(torch.stack(list(images[i:i + batch_size]))))
    return torch.cat(out).numpy()  # wrong: the rows are not scaled to norm 1
''', ("embed_images: relative difference", "each row should have norm 1"), kept=2.0),
    "embedding_records_gradients": Wrong("q23_embed", '''
def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    out = []
    for i in range(0, len(images), batch_size):  # wrong: no torch.no_grad()
        e = model.encode_image(torch.stack(list(images[i:i + batch_size])))
        out.append(e / e.norm(dim=1, keepdim=True))
    return torch.cat(out).detach().numpy()
''', ("embed_images: gradients were recorded while embedding",), kept=4.0),
    "cosine_instead_of_l2": Wrong("q23_search", SEARCH.format(body='''
    faiss.normalize_L2(images)  # wrong: ranks by cosine similarity, not Euclidean distance
    faiss.normalize_L2(queries)
    index = faiss.IndexFlatIP(images.shape[1])
    index.add(images)
    return index.search(queries, k)[1]'''),
        ("search_top_k: query", "clustered images of varied norm")),
    "top_k_off_by_one": Wrong("q23_search", SEARCH.format(body='''
    index = faiss.IndexFlatL2(images.shape[1])
    index.add(images)
    found = index.search(queries, k + 1)[1]
    return found[:, 1:]  # wrong: drops the nearest (as if it were the query)'''),
        ("search_top_k: query 0: the results are not the",)),
    "same_images_for_every_query": Wrong("q23_search", SEARCH.format(body='''
    index = faiss.IndexFlatL2(images.shape[1])
    index.add(images)
    nearest = index.search(queries[:1], k)[1]  # wrong: searches with the first query only
    return np.repeat(nearest, len(queries), axis=0)'''), ("search_top_k: query 1:",)),
    "accuracy_over_labels": Wrong("q23_accuracy", '''
def top_k_accuracy(retrieved_labels, query_labels):
    hits = np.asarray(retrieved_labels) == np.asarray(query_labels)[:, None]
    return hits.sum(1) / len(query_labels)  # wrong: divides by the number of labels, not by k


def mean_accuracy(retrieved_labels, query_labels):
    return float(np.mean(top_k_accuracy(retrieved_labels, query_labels)))
''', ("top_k_accuracy: relative difference", "for k = 5")),
    "other_from_the_chosen": Wrong("q241_groups", '''
def group_labels(labels, chosen):
    labels = np.asarray(labels)
    others = sorted(set(labels.tolist()) - set(chosen))
    targets = np.full(len(labels), 4)
    for i, label in enumerate(chosen):
        targets[labels == label] = 4  # wrong: the four chosen labels become "other"
    return targets
''', ("group_labels: relative difference",)),
    "gradients_into_clip": Wrong("q241_frozen", '''
def probe_step(probe, optimizer, encoder, images, targets):
    features = encoder.encode_image(images)  # wrong: not detached, CLIP gets gradients
    loss = F.cross_entropy(probe(features), torch.as_tensor(targets))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
''', ("probe_step: a gradient reached the encoder (CLIP)",)),
    "history_of_the_last_epoch": Wrong("q241_train", '''
def train_probe(encoder, train_images, train_targets, val_images, val_targets, epochs=20,
                batch_size=64, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    x, t = encoder.encode_image(train_images), torch.as_tensor(train_targets)
    probe = nn.Sequential(nn.Linear(x.shape[1], 128), nn.ReLU(), nn.Linear(128, 5))
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(epochs):
        for rows in torch.randperm(len(t)).split(batch_size):
            probe_step(probe, optimizer, encoder, train_images[rows], t[rows])
    with torch.no_grad():
        right = (probe(encoder.encode_image(val_images)).argmax(1) == torch.as_tensor(val_targets))
    return probe, [right.float().mean().item()]  # wrong: one accuracy, not one per epoch
''', ("train_probe: expected 15 validation accuracies",)),
    "query_from_validation": Wrong("q242", '''
def improved_query(train_embeddings, train_labels, label):
    rows = val_embeddings[val_labels == label]  # wrong: a leak, built from the validation set
    mean = rows.mean(axis=0)
    return mean / np.linalg.norm(mean)
''', ("improved_query:",)),
}

# Right answers written differently from reference/: they keep all their points.
RIGHT = {
    "embed_in_inference_mode_as_tensor": ("q23_embed", '''
def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    parts = []
    with torch.inference_mode():
        for batch in torch.split(torch.stack(list(images)), batch_size):
            parts.append(F.normalize(model.encode_image(batch), dim=-1))
    return torch.cat(parts)  # a tensor, not a numpy array
'''),
    "accuracy_as_a_mean_of_hits": ("q23_accuracy", '''
def top_k_accuracy(retrieved_labels, query_labels):
    return (np.asarray(retrieved_labels).T == np.asarray(query_labels)).mean(axis=0)


def mean_accuracy(retrieved_labels, query_labels):
    return top_k_accuracy(retrieved_labels, query_labels).mean()
'''),
    "groups_by_lookup": ("q241_groups", '''
def group_labels(labels, chosen):
    position = {int(c): i for i, c in enumerate(chosen)}
    return np.array([position.get(int(label), 4) for label in labels])
'''),
    "query_as_the_plain_mean": ("q242", '''
def improved_query(train_embeddings, train_labels, label):
    return train_embeddings[train_labels == label].mean(axis=0)  # unit-norm images: same ranking
'''),
}

# Wrong answers graded together; each group touches each question at most once (group c also
# carries the right answers).
GROUPS = {
    "a": ("constant_one", "cnn_without_batch_norm", "embeddings_not_normalized",
          "cosine_instead_of_l2", "accuracy_over_labels", "other_from_the_chosen",
          "query_from_validation"),
    "b": ("step_with_mse", "embedding_records_gradients", "top_k_off_by_one",
          "gradients_into_clip", "history_of_the_last_epoch"),
    "c": ("same_images_for_every_query",),
}
