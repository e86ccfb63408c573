"""Typical mistakes in CS 229br HW0's autograded questions (see graders/staff/mistakes.py): the
SGD constant, the CIFAR-10 CNN, CLIP embeddings with a Faiss search, and the linear probe.

Short, independent code (none copied from reference/), each wrong in one way a student could
plausibly be; a source replaces its question's graded (or answer) cell.
"""

from graders.staff.mistakes import Mistake

SEARCH = '''
def search_top_k(image_embeddings, query_embeddings, k=5):
    import faiss

    images = np.ascontiguousarray(image_embeddings, dtype=np.float32)
    queries = np.ascontiguousarray(query_embeddings, dtype=np.float32)
    {body}
'''

MISTAKES = {
    "constant_one": Mistake(
        "q12", "answers c = 1: the factor 2 from differentiating the square is lost",
        'answer_c = "1"', ("c differs from the expected answer",)),
    "cnn_without_batch_norm": Mistake(
        "q21_model", "a CNN without batch norm after its convolutions", '''
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
    "step_with_mse": Mistake(
        "q21_model", "trains with MSE on one-hot labels instead of cross-entropy", '''
def train_step(model, optimizer, images, labels):
    model.train()
    optimizer.zero_grad()
    target = F.one_hot(labels, 10).float()
    loss = F.mse_loss(model(images), target)  # wrong: the handout's loss is cross-entropy
    loss.backward()
    optimizer.step()
    return loss.item()
''', ("train_step: the losses of two steps on one batch: relative difference",), kept=3.0),
    "embeddings_not_normalized": Mistake(
        "q23_embed", "does not scale the embeddings to norm 1", '''
def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(model.encode_image(torch.stack(list(images[i:i + batch_size]))))
    return torch.cat(out).numpy()  # wrong: the rows are not scaled to norm 1
''', ("embed_images: relative difference", "each row should have norm 1"), kept=2.0),
    "embedding_records_gradients": Mistake(
        "q23_embed", "embeds outside torch.no_grad(), so autograd records every batch", '''
def embed_images(model, images, batch_size=256, cache=None, device="cpu"):
    out = []
    for i in range(0, len(images), batch_size):  # wrong: no torch.no_grad()
        e = model.encode_image(torch.stack(list(images[i:i + batch_size])))
        out.append(e / e.norm(dim=1, keepdim=True))
    return torch.cat(out).detach().numpy()
''', ("embed_images: gradients were recorded while embedding",), kept=4.0),
    "cosine_instead_of_l2": Mistake(
        "q23_search", "ranks by cosine similarity instead of L2 distance", SEARCH.format(body='''
    faiss.normalize_L2(images)  # wrong: ranks by cosine similarity, not Euclidean distance
    faiss.normalize_L2(queries)
    index = faiss.IndexFlatIP(images.shape[1])
    index.add(images)
    return index.search(queries, k)[1]'''),
        ("search_top_k: query", "clustered images of varied norm")),
    "top_k_off_by_one": Mistake(
        "q23_search", "drops the nearest image, as if it were the query itself",
        SEARCH.format(body='''
    index = faiss.IndexFlatL2(images.shape[1])
    index.add(images)
    found = index.search(queries, k + 1)[1]
    return found[:, 1:]  # wrong: drops the nearest (as if it were the query)'''),
        ("search_top_k: query 0: the results are not the",)),
    "same_images_for_every_query": Mistake(
        "q23_search", "searches with the first query only and returns its results for all",
        SEARCH.format(body='''
    index = faiss.IndexFlatL2(images.shape[1])
    index.add(images)
    nearest = index.search(queries[:1], k)[1]  # wrong: searches with the first query only
    return np.repeat(nearest, len(queries), axis=0)'''), ("search_top_k: query 1:",)),
    "accuracy_over_labels": Mistake(
        "q23_accuracy", "divides each query's hits by the number of queries instead of by k", '''
def top_k_accuracy(retrieved_labels, query_labels):
    hits = np.asarray(retrieved_labels) == np.asarray(query_labels)[:, None]
    return hits.sum(1) / len(query_labels)  # wrong: divides by the number of labels, not by k


def mean_accuracy(retrieved_labels, query_labels):
    return float(np.mean(top_k_accuracy(retrieved_labels, query_labels)))
''', ("top_k_accuracy: relative difference", "for k = 5")),
    "other_from_the_chosen": Mistake(
        "q241_groups", "maps the four chosen labels to 'other' instead of to 0-3", '''
def group_labels(labels, chosen):
    labels = np.asarray(labels)
    others = sorted(set(labels.tolist()) - set(chosen))
    targets = np.full(len(labels), 4)
    for i, label in enumerate(chosen):
        targets[labels == label] = 4  # wrong: the four chosen labels become "other"
    return targets
''', ("group_labels: relative difference",)),
    "gradients_into_clip": Mistake(
        "q241_frozen", "lets gradients flow into CLIP: the features are not detached", '''
def probe_step(probe, optimizer, encoder, images, targets):
    features = encoder.encode_image(images)  # wrong: not detached, CLIP gets gradients
    loss = F.cross_entropy(probe(features), torch.as_tensor(targets))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
''', ("probe_step: a gradient reached the encoder (CLIP)",)),
    "history_of_the_last_epoch": Mistake(
        "q241_train", "returns one validation accuracy instead of one per epoch", '''
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
    "query_from_validation": Mistake(
        "q242", "builds the query from the validation embeddings (a leak), not the training ones",
        '''
def improved_query(train_embeddings, train_labels, label):
    rows = val_embeddings[val_labels == label]  # wrong: a leak, built from the validation set
    mean = rows.mean(axis=0)
    return mean / np.linalg.norm(mean)
''', ("improved_query:",)),
}
