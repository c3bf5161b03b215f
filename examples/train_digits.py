"""Train a small MLP on the 8×8 handwritten digits with a plain loop: every step in view.

Each step is the same four lines as in PyTorch: zero the gradients, compute the loss,
backpropagate, update. Run: ``.venv/bin/python examples/train_digits.py [--epochs N]``.
"""

import argparse

import numpy as np

import glassgrad as gg
from glassgrad import data, nn, optim
from glassgrad.nn import functional as F


def evaluate_accuracy(model, loader):
    """Fraction of correctly classified samples (no graph is recorded)."""
    model.eval()
    correct = total = 0
    with gg.no_grad():
        for images, labels in loader:
            predicted = np.argmax(model(images).numpy(), axis=1)
            correct += int((predicted == labels.numpy()).sum())
            total += len(labels)
    model.train()
    return correct / total


def main(epochs=15, batch_size=32, lr=3e-3, seed=0):
    gg.manual_seed(seed)  # the weights' initialisation draws from the default generator
    X, y = data.load_digits()  # X: (1797, 64) pixels in [0, 1]; y: labels 0..9
    train_set, test_set = data.random_split(data.TensorDataset(X, y), [0.8, 0.2], generator=seed)
    train_loader = data.DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=seed)
    test_loader = data.DataLoader(test_set, batch_size=256)

    model = nn.MLP([64, 128, 10])  # Linear(64, 128) → ReLU → Linear(128, 10)
    optimizer = optim.Adam(model.parameters(), lr=lr)

    for epoch in range(epochs):
        running_loss, seen = 0.0, 0
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item() * len(labels)
            seen += len(labels)
        accuracy = evaluate_accuracy(model, test_loader)
        print(
            f"epoch {epoch + 1:2d}  train loss {running_loss / seen:.4f}  "
            f"test accuracy {accuracy:.4f}"
        )
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()
    main(epochs=args.epochs, lr=args.lr)
