"""Right answers and groups for the cs229br_hw0 end-to-end tests; the wrong answers they grade
are the typical mistakes of graders/cs229br_hw0/mistakes.py (which the TA rubric lists too)."""

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
