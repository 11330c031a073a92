"""PyTorch side of tools/bench-large-folders.sh: one epoch of onnxreg's cnn preset (conv-relu-pool blocks with the
channels given, then flatten, fc HIDDEN, relu, fc classes) on an image folder read as torchvision's ImageFolder with a
DataLoader and worker processes (PIL decodes each PNG per batch, as PyTorch users read a folder that does not fit in
memory). Batch 128, Adam 1e-3, the per-channel mean and std given (onnxreg's, so both engines train on the same
values). An optional eighth argument trains on that many of the images only (a seeded sample, as `onnxreg train
--train-size`). Prints `images N seconds S images_per_second R`; memory is measured from outside
(tools/bench/peak_memory.py)."""
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def network(in_channels, channels, side, hidden, classes):
    layers, c = [], in_channels
    for out in channels:
        layers += [nn.Conv2d(c, out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c, side = out, side // 2
    layers += [nn.Flatten(), nn.Linear(c * side * side, hidden), nn.ReLU(), nn.Linear(hidden, classes)]
    return nn.Sequential(*layers)


def main():
    root, side, channels, workers, threads = sys.argv[1], int(sys.argv[2]), [int(c) for c in sys.argv[3].split(",")], int(sys.argv[4]), int(sys.argv[5])
    mean, std = [float(v) for v in sys.argv[6].split(",")], [float(v) for v in sys.argv[7].split(",")]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])
    train = datasets.ImageFolder(f"{root}/train", transform=transform)
    classes = len(train.classes)
    if len(sys.argv) > 8:
        train = Subset(train, torch.randperm(len(train))[: int(sys.argv[8])].tolist())
    loader = DataLoader(train, batch_size=128, shuffle=True, num_workers=workers, persistent_workers=False)
    net = network(3, channels, side, 128, classes)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    net.train()
    start = time.perf_counter()
    seen = 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(net(images), labels)
        loss.item()
        loss.backward()
        optimizer.step()
        seen += len(labels)
    seconds = time.perf_counter() - start
    print(f"images {seen} seconds {seconds:.1f} images_per_second {seen / seconds:.1f}", flush=True)


main()
