"""PyTorch side of tools/bench-pytorch.sh: trains the same networks as onnxreg's presets on full Fashion-MNIST
(55,000 train / 5,000 validation, batch 128, Adam 1e-3) and prints one line per epoch, `epoch N SECONDS`, the time
including the validation pass, as onnxreg's epoch lines count it. Reads the IDX files itself (no torchvision)."""
import gzip
import struct
import sys
import time

import torch
import torch.nn as nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def model(name):
    if name == "mlp":  # onnxreg train --model mlp --hidden 512,256
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    # onnxreg train --model cnn --dropout 0.3: conv32-pool-conv64-pool, dropout, fc128, dropout, fc10
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def main():
    folder, name, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    images = idx(f"{folder}/train-images-idx3-ubyte.gz").float().div_(255).unsqueeze(1)
    labels = idx(f"{folder}/train-labels-idx1-ubyte.gz").long()
    mean, std = images[:55000].mean(), images[:55000].std()
    images = (images - mean) / std
    train_x, train_y, val_x, val_y = images[:55000], labels[:55000], images[55000:], labels[55000:]
    net = model(name)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        net.train()
        order = torch.randperm(55000)
        for i in range(0, 55000, 128):
            batch = order[i:i + 128]
            optimizer.zero_grad()
            loss = loss_fn(net(train_x[batch]), train_y[batch])
            loss.item()
            loss.backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            correct = sum((net(val_x[i:i + 1000]).argmax(1) == val_y[i:i + 1000]).sum().item() for i in range(0, 5000, 1000))
        print(f"epoch {epoch} {time.perf_counter() - start:.3f} val_accuracy {correct / 5000:.4f}", flush=True)


main()
