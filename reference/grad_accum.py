"""Gradient accumulation and the training loop (EECS 182 HW7, Question 6(b)-(c)).

Accumulating the gradients of `steps` micro-batches of size b, each loss divided by `steps`,
gives the gradient of the mean loss over the b * steps examples, unless the model mixes examples
of a batch: batch norm normalizes with the micro-batch's statistics, layer norm with each
example's own, so only layer norm agrees with the full batch.
"""

import torch


def accumulated_gradient(model, inputs, labels, batch_size, steps, loss_fn):
    """The summed gradients of `steps` consecutive micro-batches of `batch_size` rows of
    inputs: (batch_size * steps, ...), each loss divided by `steps`, as one flat vector over
    model.parameters() (in their order). The model's .grad fields are left as accumulated."""
    model.zero_grad()
    for i in range(steps):
        rows = slice(i * batch_size, (i + 1) * batch_size)
        loss = loss_fn(model(inputs[rows]), labels[rows]) / steps
        loss.backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def train_loop(model, batches, loss_fn, lr, epochs=1):
    """SGD over the (inputs, labels) pairs of `batches`, zeroing the gradients before every
    backward pass (the fix of 6(c)). Returns the loss of every step, as floats."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        for inputs, labels in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
