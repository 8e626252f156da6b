"""
A PyTorch port of openai/improved-gan mnist_svhn_cifar10/train_mnist_feature_matching.py (with its
nn.py: DenseLayer with weight normalisation and data-dependent init, GaussianNoiseLayer,
BatchNormLayer without scale, l2normalize, adam_updates), trained on this project's split as
test/bench/export-split.ts writes it. The reference for what libs/sgan's `improved-gan` computes.

  npx tsx test/bench/export-split.ts /tmp/sgan-split 100 1
  /usr/bin/python3 test/bench/improved_gan_torch.py --data /tmp/sgan-split --epochs 10

Prints one line per epoch: the losses, the training error on the labeled batches and the test
accuracy with the trained weights and with the reference's weight average (it tests with that).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="/tmp/sgan-split")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--batch-size", type=int, default=100)
parser.add_argument("--lr", type=float, default=0.003)
parser.add_argument("--unlabeled-weight", type=float, default=1.0)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--out", default=None, help="write one JSON line per epoch to this file")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.RandomState(args.seed)


def load(name, dtype):
    return np.fromfile(os.path.join(args.data, name), dtype=dtype)


meta = json.load(open(os.path.join(args.data, "meta.json")))
side = meta["imgSize"]
# The reference's pixels are in [0, 1]; the export's in [-1, 1].
train_x = torch.from_numpy(load("train_x.f32", "<f4").reshape(-1, side * side) * 0.5 + 0.5)
train_y = torch.from_numpy(load("train_y.i32", "<i4").astype(np.int64))
test_x = torch.from_numpy(load("test_x.f32", "<f4").reshape(-1, side * side) * 0.5 + 0.5)
test_y = torch.from_numpy(load("test_y.i32", "<i4").astype(np.int64))
labeled = torch.from_numpy(load("labeled.i32", "<i4").astype(np.int64))
init_indices = torch.from_numpy(load("init.i32", "<i4").astype(np.int64))
txs, tys = train_x[labeled], train_y[labeled]


class WeightNormDense:
    """nn.DenseLayer: W = theta * weight_scale / ||theta|| per column, theta ~ N(0, 0.1); init=True rescales."""

    def __init__(self, inputs, units, train_scale, relu=True):
        self.theta = (torch.randn(inputs, units) * 0.1).requires_grad_()
        self.scale = torch.ones(units, requires_grad=train_scale)
        self.b = torch.zeros(units, requires_grad=True)
        self.relu = relu

    def params(self):
        return [self.theta, self.b] + ([self.scale] if self.scale.requires_grad else [])

    def __call__(self, x, init=False):
        w = self.theta * (self.scale / torch.sqrt(torch.sum(self.theta ** 2, 0)))
        a = x @ w
        if init:
            with torch.no_grad():
                ma = a.mean(0)
                a = a - ma
                stdv = torch.sqrt((a ** 2).mean(0))
                a = a / stdv
                self.scale.div_(stdv)
                self.b.copy_(-ma / stdv)
        else:
            a = a + self.b
        return F.relu(a) if self.relu else a


def noise(x, sigma, training):
    return x + torch.randn_like(x) * sigma if training else x


class Discriminator:
    def __init__(self):
        units = [side * side, 1000, 500, 250, 250, 250]
        self.hidden = [WeightNormDense(i, o, False) for i, o in zip(units, units[1:])]
        self.out = WeightNormDense(250, 10, True, relu=False)

    def params(self):
        return [p for layer in self.hidden + [self.out] for p in layer.params()]

    def forward(self, x, training=True, init=False):
        """Returns (logits, layers[-3]'s output: the last hidden layer before its noise)."""
        x = noise(x, 0.3, training)
        for layer in self.hidden:
            features = layer(x, init)
            x = noise(features, 0.5, training)
        return self.out(x, init), features


def glorot(inputs, outputs):
    bound = math.sqrt(6 / (inputs + outputs))
    return ((torch.rand(inputs, outputs) * 2 - 1) * bound).requires_grad_()


class Generator:
    """z ~ U(0, 1)^100 -> 2 x (dense 500 -> batch norm, shift only -> softplus) -> l2normalize(dense 784) -> sigmoid."""

    def __init__(self):
        self.w = [glorot(100, 500), glorot(500, 500)]
        self.beta = [torch.zeros(500, requires_grad=True) for _ in self.w]
        self.w_out = glorot(500, side * side)
        self.scale_out = torch.ones(side * side, requires_grad=True)
        self.b_out = torch.zeros(side * side, requires_grad=True)

    def params(self):
        return self.w + self.beta + [self.w_out, self.scale_out, self.b_out]

    def forward(self, n):
        x = torch.rand(n, 100)
        for w, beta in zip(self.w, self.beta):
            a = x @ w
            a = a - a.mean(0)
            x = F.softplus(a / torch.sqrt(1e-6 + (a ** 2).mean(0)) + beta)
        w_out = self.w_out * (self.scale_out / torch.sqrt(1e-6 + torch.sum(self.w_out ** 2, 0)))
        return torch.sigmoid(x @ w_out + self.b_out)


class ReferenceAdam:
    """nn.adam_updates: eps inside the square root, bias-corrected moments, one step counter per optimiser."""

    def __init__(self, params, lr, mom1=0.5, mom2=0.999):
        self.params, self.lr, self.mom1, self.mom2, self.t = params, lr, mom1, mom2, 0
        self.v = [torch.zeros_like(p) for p in params]
        self.mg = [torch.zeros_like(p) for p in params]

    def step(self, loss):
        grads = torch.autograd.grad(loss, self.params)
        self.t += 1
        with torch.no_grad():
            for p, g, v, mg in zip(self.params, grads, self.v, self.mg):
                v.mul_(self.mom1).add_((1 - self.mom1) * g)
                mg.mul_(self.mom2).add_((1 - self.mom2) * g * g)
                v_hat = v / (1 - self.mom1 ** self.t)
                mg_hat = mg / (1 - self.mom2 ** self.t)
                p.sub_(self.lr * v_hat / torch.sqrt(mg_hat + 1e-8))


def log_sum_exp(x):
    return torch.logsumexp(x, 1)


disc, gen = Discriminator(), Generator()
with torch.no_grad():
    disc.forward(train_x[init_indices], training=True, init=True)  # init_param(trainx[:500])
disc_params, gen_params = disc.params(), gen.params()
disc_opt = ReferenceAdam(disc_params, args.lr)
gen_opt = ReferenceAdam(gen_params, args.lr)
disc_avg = [torch.zeros_like(p) for p in disc_params]


def disc_step(x_lab, y_lab, x_unl):
    out_lab, _ = disc.forward(x_lab)
    out_unl, _ = disc.forward(x_unl)
    out_fake, _ = disc.forward(gen.forward(args.batch_size).detach())
    loss_lab = -out_lab.gather(1, y_lab[:, None]).mean() + log_sum_exp(out_lab).mean()
    l_unl = log_sum_exp(out_unl)
    loss_unl = -0.5 * l_unl.mean() + 0.5 * F.softplus(l_unl).mean() + 0.5 * F.softplus(log_sum_exp(out_fake)).mean()
    train_err = (out_lab.argmax(1) != y_lab).float().mean()
    disc_opt.step(loss_lab + args.unlabeled_weight * loss_unl)
    with torch.no_grad():
        for a, p in zip(disc_avg, disc_params):
            a.add_(0.0001 * (p - a))
    return loss_lab.item(), loss_unl.item(), train_err.item()


def gen_step(x_unl):
    _, mom_gen = disc.forward(gen.forward(args.batch_size))
    _, mom_real = disc.forward(x_unl)
    loss_gen = torch.mean((mom_gen.mean(0) - mom_real.mean(0)) ** 2)
    gen_opt.step(loss_gen)
    return loss_gen.item()


def test_accuracy(params=None):
    saved = [p.detach().clone() for p in disc_params]
    with torch.no_grad():
        if params is not None:
            for p, a in zip(disc_params, params):
                p.copy_(a)
        logits, _ = disc.forward(test_x, training=False)
        accuracy = (logits.argmax(1) == test_y).float().mean().item()
        for p, s in zip(disc_params, saved):
            p.copy_(s)
    return accuracy


batches = train_x.shape[0] // args.batch_size
print(f"train {train_x.shape[0]}, test {test_x.shape[0]}, labeled {len(labeled)}, {batches} batches per epoch, lr {args.lr}")
print(f"epoch 0: test accuracy {test_accuracy():.4f} (after the data-dependent init)")
out = open(args.out, "w") if args.out else None
trainx_unl, trainx_unl2 = train_x.clone(), train_x.clone()
for epoch in range(1, args.epochs + 1):
    began = time.time()
    order = [torch.from_numpy(rng.permutation(txs.shape[0])) for _ in range(train_x.shape[0] // txs.shape[0])]
    lab_x = torch.cat([txs[o] for o in order])
    lab_y = torch.cat([tys[o] for o in order])
    trainx_unl = trainx_unl[torch.from_numpy(rng.permutation(trainx_unl.shape[0]))]
    trainx_unl2 = trainx_unl2[torch.from_numpy(rng.permutation(trainx_unl2.shape[0]))]
    totals = np.zeros(4)
    for t in range(batches):
        s = slice(t * args.batch_size, (t + 1) * args.batch_size)
        totals[:3] += disc_step(lab_x[s], lab_y[s], trainx_unl[s])
        totals[3] += gen_step(trainx_unl2[s])
    totals /= batches
    raw, avg = test_accuracy(), test_accuracy(disc_avg)
    row = dict(epoch=epoch, loss_lab=totals[0], loss_unl=totals[1], train_err=totals[2], loss_gen=totals[3],
               test_accuracy=raw, test_accuracy_avg=avg, seconds=time.time() - began)
    print(f"epoch {epoch}: loss_lab {totals[0]:.4f} loss_unl {totals[1]:.4f} train err {totals[2]:.4f} "
          f"loss_gen {totals[3]:.4f} test acc {raw:.4f} (avg weights {avg:.4f}) {row['seconds']:.1f}s", flush=True)
    if out:
        out.write(json.dumps(row) + "\n")
        out.flush()
