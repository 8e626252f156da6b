"""Reference timing of the seed's SGAN (PyTorch-GAN implementations/sgan) training step.

Same architecture and losses as the seed; random data; measures ms per full iteration
(G step + D step) after warm-up. Usage: python3 reference_sgan_torch.py [img_size] [iters] [batches]
(batches: comma-separated, default 32,64,128). The repository's copy of shared/bench/reference_sgan_torch.py,
so that a copy of the working tree (a GPU host: test/bench/gpu-host.sh) carries it.
"""
import sys, time, statistics
import torch, torch.nn as nn
import numpy as np

img_size = int(sys.argv[1]) if len(sys.argv) > 1 else 32
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 10
batches = [int(b) for b in sys.argv[3].split(",")] if len(sys.argv) > 3 else [32, 64, 128]
dev = "cuda" if torch.cuda.is_available() else "cpu"
import os
if dev == "cpu":
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
latent_dim, num_classes, channels = 100, 10, 1


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.init_size = img_size // 4
        self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(128), nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 128, 3, stride=1, padding=1), nn.BatchNorm2d(128, 0.8), nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, stride=1, padding=1), nn.BatchNorm2d(64, 0.8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, channels, 3, stride=1, padding=1), nn.Tanh())

    def forward(self, z):
        out = self.l1(z).view(z.shape[0], 128, self.init_size, self.init_size)
        return self.conv_blocks(out)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        def block(i, o, bn=True):
            b = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            if bn:
                b.append(nn.BatchNorm2d(o, 0.8))
            return b
        self.conv_blocks = nn.Sequential(*block(channels, 16, False), *block(16, 32), *block(32, 64), *block(64, 128))
        ds = (img_size + 15) // 16
        self.adv_layer = nn.Sequential(nn.Linear(128 * ds ** 2, 1), nn.Sigmoid())
        self.aux_layer = nn.Sequential(nn.Linear(128 * ds ** 2, num_classes + 1), nn.Softmax(dim=1))

    def forward(self, img):
        out = self.conv_blocks(img).flatten(1)
        return self.adv_layer(out), self.aux_layer(out)


def run(bs):
    G, D = Generator().to(dev), Discriminator().to(dev)
    adv, aux = nn.BCELoss(), nn.CrossEntropyLoss()
    oG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    oD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    imgs = torch.rand(bs, 1, img_size, img_size, device=dev) * 2 - 1
    labels = torch.randint(0, 10, (bs,), device=dev)
    valid = torch.ones(bs, 1, device=dev); fake = torch.zeros(bs, 1, device=dev)
    fake_gt = torch.full((bs,), num_classes, device=dev, dtype=torch.long)

    def step():
        oG.zero_grad()
        z = torch.randn(bs, latent_dim, device=dev)
        gen = G(z)
        v, _ = D(gen)
        g_loss = adv(v, valid); g_loss.backward(); oG.step()
        oD.zero_grad()
        rp, ra = D(imgs)
        fp, fa = D(gen.detach())
        d_loss = ((adv(rp, valid) + aux(ra, labels)) / 2 + (adv(fp, fake) + aux(fa, fake_gt)) / 2) / 2
        d_loss.backward(); oD.step()
        return d_loss.item() + g_loss.item()

    for _ in range(3):
        step()
    ts = []
    for _ in range(iters):
        t = time.perf_counter(); step()
        if dev == "cuda":
            torch.cuda.synchronize()
        ts.append((time.perf_counter() - t) * 1000)
    med = statistics.median(ts)
    print(f"torch {torch.__version__} {dev} threads={torch.get_num_threads()} img={img_size} batch={bs}: "
          f"{med:.1f} ms/iter, {bs / med * 1000:.0f} samples/s")


for bs in batches:
    run(bs)
