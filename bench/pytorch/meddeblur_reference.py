#!/usr/bin/python3
"""PyTorch reference training-step benchmark for MedDeblur.NET.

The network is the official MedDeblur model (sharif-apu/MedDeblur,
modelDefinitions/model.py + layers.py + conv_lstm.py), written again from the
description in /work/shared/notes/official-implementation.md section 2 (no
code was copied):

  SRNDeblurNet: inblock EBlock(6,32,s1), eblock1 EBlock(32,64,s2),
  eblock2 EBlock(64,128,s2), ConvLSTM(128,128,5x5), dblock1 DBlock(128,64),
  dblock2 DBlock(64,32), outblock OutBlock(32); additive skips; 3 scales with
  shared weights; input cat[blurred, up2(raw previous output)]; tanh on the
  finest output only; xavier_normal_ on every Conv2d/ConvTranspose2d weight.
  Every E/D/Out block = 3 x RDB(3 bias-free 3x3 dense layers, growth 8,
  1x1 fusion, + x) followed by ONE spatial-asymmetric attention module
  (MultiKernelConv2).

The benchmark times one full training step (zero_grad, 3-scale forward, MSE
on the finest output, backward, Adam(lr 1e-4, betas (0.9, 0.99)) step) on
random data, and reports the median step time, images/s and peak RSS.

It is the PyTorch reference for `meddeblur bench` (see README.md).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAPER_PARAMS = 8_028_917


# --------------------------------------------------------------------------
# Building blocks (layers.py)
# --------------------------------------------------------------------------
class MakeDense(nn.Module):
    """x -> cat[x, relu(conv3x3(x))], bias-free."""

    def __init__(self, n_channels, growth):
        super().__init__()
        self.conv = nn.Conv2d(n_channels, growth, 3, padding=1, bias=False)

    def forward(self, x):
        return torch.cat((x, F.relu(self.conv(x))), 1)


class RDB(nn.Module):
    """Residual dense block: 3 dense layers (growth 8), 1x1 fusion, + x."""

    def __init__(self, n_channels, n_dense=3, growth=8):
        super().__init__()
        layers = []
        c = n_channels
        for _ in range(n_dense):
            layers.append(MakeDense(c, growth))
            c += growth
        self.dense_layers = nn.Sequential(*layers)
        self.conv_1x1 = nn.Conv2d(c, n_channels, 1, padding=0, bias=False)

    def forward(self, x):
        return self.conv_1x1(self.dense_layers(x)) + x


class SELayer(nn.Module):
    """Squeeze-excitation, reduction 16, bias-free Linear layers."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channels, channels // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channels // reduction, channels, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        b, c = x.shape[0], x.shape[1]
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y


class MultiKernelConv2(nn.Module):
    """Spatial-asymmetric attention (SAM).

    out = LeakyReLU0.2( SE(conv9x9(x)) * (sigmoid(convCat[mean_c,max_c](conv3x1 x))
                                         + sigmoid(convCat[mean_c,max_c](conv1x3 x))) )
    One convCat (2->1, 9x9) is shared by both branches; no residual.
    """

    def __init__(self, in_channels, out_channels, se_reduction=16):
        super().__init__()
        self.square = nn.Conv2d(in_channels, out_channels, 9, 1, 4, bias=True)
        self.vertical = nn.Conv2d(in_channels, out_channels, (3, 1), 1, (1, 0), bias=True)
        self.horizontal = nn.Conv2d(in_channels, out_channels, (1, 3), 1, (0, 1), bias=True)
        self.conv_cat = nn.Conv2d(2, 1, 9, 1, 4, bias=True)
        self.se = SELayer(out_channels, se_reduction)
        self.act = nn.LeakyReLU(0.2)

    def _spatial(self, t):
        avg = torch.mean(t, dim=1, keepdim=True)
        mx, _ = torch.max(t, dim=1, keepdim=True)
        return torch.sigmoid(self.conv_cat(torch.cat([avg, mx], dim=1)))

    def forward(self, x):
        x_square = self.square(x)
        fv = self._spatial(self.vertical(x))
        fh = self._spatial(self.horizontal(x))
        x0 = fv + fh
        x9 = self.se(x_square)
        return self.act(x9 * x0)


def rd_sam_stack(channels, n_rdb=3, se_reduction=16):
    """3 x RDB followed by ONE SAM (the official number_block=3 layout)."""
    return nn.Sequential(*[RDB(channels) for _ in range(n_rdb)],
                         MultiKernelConv2(channels, channels, se_reduction))


# --------------------------------------------------------------------------
# Encoder / decoder / output blocks (model.py)
# --------------------------------------------------------------------------
class EBlock(nn.Module):
    def __init__(self, in_c, out_c, stride, se_reduction=16):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(in_c, out_c, 5, stride, 2, bias=True),
                                  nn.ReLU(inplace=True))
        self.resblock_stack = rd_sam_stack(out_c, se_reduction=se_reduction)

    def forward(self, x):
        return self.resblock_stack(self.conv(x))


class DBlock(nn.Module):
    def __init__(self, in_c, out_c, se_reduction=16):
        super().__init__()
        self.resblock_stack = rd_sam_stack(in_c, se_reduction=se_reduction)
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(in_c, out_c, 5, stride=2, padding=2, output_padding=1, bias=True),
            nn.ReLU(inplace=True))

    def forward(self, x):
        return self.deconv(self.resblock_stack(x))


class OutBlock(nn.Module):
    def __init__(self, in_c, se_reduction=16):
        super().__init__()
        self.resblock_stack = rd_sam_stack(in_c, se_reduction=se_reduction)
        self.conv = nn.Sequential(nn.Conv2d(in_c, 3, 5, 1, 2, bias=True))

    def forward(self, x):
        return self.conv(self.resblock_stack(x))


class CLSTMCell(nn.Module):
    """ConvLSTM: one conv(cat[x, h]) -> 4*hidden gates, order i, f, o, g."""

    def __init__(self, in_c, hidden, k):
        super().__init__()
        self.hidden = hidden
        self.conv = nn.Conv2d(in_c + hidden, 4 * hidden, k, 1, k // 2, bias=True)

    def forward(self, x, state):
        h, c = state
        a = self.conv(torch.cat((x, h), 1))
        ai, af, ao, ag = torch.split(a, self.hidden, dim=1)
        i = torch.sigmoid(ai)
        f = torch.sigmoid(af)
        o = torch.sigmoid(ao)
        g = torch.tanh(ag)
        c_next = f * c + i * g
        h_next = o * torch.tanh(c_next)
        return h_next, c_next


class SRNDeblurNet(nn.Module):
    def __init__(self, width=32, se_reduction=16):
        """Paper: width 32, se_reduction 16. Reduced widths (tests) need se_reduction <= width."""
        super().__init__()
        w1, w2, w3 = width, 2 * width, 4 * width
        r = se_reduction
        self.inblock = EBlock(3 + 3, w1, 1, r)
        self.eblock1 = EBlock(w1, w2, 2, r)
        self.eblock2 = EBlock(w2, w3, 2, r)
        self.convlstm = CLSTMCell(w3, w3, 5)
        self.dblock1 = DBlock(w3, w2, r)
        self.dblock2 = DBlock(w2, w1, r)
        self.outblock = OutBlock(w1, r)
        self.lstm_channels = w3
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.xavier_normal_(m.weight)

    def forward_step(self, x, state):
        e32 = self.inblock(x)
        e64 = self.eblock1(e32)
        e128 = self.eblock2(e64)
        h, c = self.convlstm(e128, state)
        d64 = self.dblock1(h)
        d32 = self.dblock2(d64 + e64)
        d3 = self.outblock(d32 + e32)
        return d3, h, c

    @staticmethod
    def _up2(t):
        return F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)

    def forward(self, b1, b2, b3):
        """b1 finest (H), b2 (H/2), b3 coarsest (H/4)."""
        n, _, h3, w3 = b3.shape
        h = b3.new_zeros(n, self.lstm_channels, h3 // 4, w3 // 4)
        c = b3.new_zeros(n, self.lstm_channels, h3 // 4, w3 // 4)
        i3, h, c = self.forward_step(torch.cat([b3, torch.zeros_like(b3)], 1), (h, c))
        h, c = self._up2(h), self._up2(c)
        i2, h, c = self.forward_step(torch.cat([b2, self._up2(i3)], 1), (h, c))
        h, c = self._up2(h), self._up2(c)
        i1, h, c = self.forward_step(torch.cat([b1, self._up2(i2)], 1), (h, c))
        return torch.tanh(i1), i2, i3


def debian_package_version(pkg="python3-torch"):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def loaded_blas():
    """Path of the BLAS library actually mapped into this process.

    Debian's python3-torch calls BLAS through the libblas.so.3 alternative. With only
    libblas3 installed that is the netlib *reference* BLAS (single-threaded, unoptimised);
    ConvTranspose2d (slow_conv_transpose2d, forward and backward) runs its GEMMs there.
    """
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if "blas" in base or "mkl" in base:
                    libs.add(os.path.realpath(path))
    except OSError:
        return None
    return sorted(libs) or None


def count_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def param_breakdown(model):
    return {name: count_params(mod) for name, mod in model.named_children()}


# --------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=128, help="finest input size (divisible by 16)")
    ap.add_argument("--width", type=int, default=32, help="base width (paper: 32 -> 32/64/128)")
    ap.add_argument("--steps", type=int, default=3, help="timed steps")
    ap.add_argument("--warmup", type=int, default=1, help="untimed warm-up steps")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--flush-denormal", dest="flush_denormal", action="store_true", default=True)
    ap.add_argument("--no-flush-denormal", dest="flush_denormal", action="store_false")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = ap.parse_args(argv)

    if args.size % 16 != 0:
        ap.error("--size must be divisible by 16")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    torch.set_num_threads(args.threads)
    fd_ok = torch.set_flush_denormal(args.flush_denormal)
    if args.flush_denormal and not fd_ok:
        log("warning: set_flush_denormal(True) not supported on this CPU")
    torch.manual_seed(args.seed)

    model = SRNDeblurNet(args.width)
    model.train()
    n_params = count_params(model)
    log(f"params: {n_params:,}  {param_breakdown(model)}")
    if args.width == 32:
        assert n_params == PAPER_PARAMS, f"param count {n_params} != {PAPER_PARAMS}"
        log(f"param check OK: {n_params:,} == {PAPER_PARAMS:,}")

    blas = loaded_blas()
    log(f"BLAS: {blas}")
    if blas and all("/blas/libblas.so" in b for b in blas):
        log("warning: netlib reference BLAS in use; ConvTranspose2d will be slow. "
            "Install libopenblas0-pthread (see README.md) for a fair reference.")

    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.99))
    loss_fn = nn.MSELoss()

    # Random data in [-1, 1]; pyramid 32/64/128 (for --size 128) built once,
    # outside the timed loop, with bilinear F.interpolate from the finest input
    # (align_corners=False, no antialias == cv2.resize INTER_LINEAR).
    g = torch.Generator().manual_seed(args.seed)
    s = args.size
    blur = torch.rand(args.batch, 3, s, s, generator=g) * 2 - 1
    target = torch.rand(args.batch, 3, s, s, generator=g) * 2 - 1
    b1 = blur
    b2 = F.interpolate(blur, size=(s // 2, s // 2), mode="bilinear", align_corners=False)
    b3 = F.interpolate(blur, size=(s // 4, s // 4), mode="bilinear", align_corners=False)

    def step():
        opt.zero_grad(set_to_none=True)
        out, _, _ = model(b1, b2, b3)
        loss = loss_fn(out, target)
        loss.backward()
        opt.step()
        return loss.item()

    losses = []
    for i in range(args.warmup):
        t0 = time.perf_counter()
        l = step()
        log(f"warm-up {i + 1}/{args.warmup}: {1000 * (time.perf_counter() - t0):.0f} ms, loss {l:.5f}")
    times = []
    for i in range(args.steps):
        t0 = time.perf_counter()
        l = step()
        dt = time.perf_counter() - t0
        times.append(dt * 1000.0)
        losses.append(l)
        log(f"step {i + 1}/{args.steps}: {dt * 1000:.0f} ms, loss {l:.5f}")
        assert l == l and abs(l) != float("inf"), "non-finite loss"

    med = statistics.median(times) if times else float("nan")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    result = {
        "framework": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "size": args.size,
        "width": args.width,
        "params": n_params,
        "step_ms_median": round(med, 1),
        "images_per_s": round(args.batch / (med / 1000.0), 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "flush_denormal": args.flush_denormal,
        "warmup": args.warmup,
        "steps": args.steps,
        "step_ms": [round(t, 1) for t in times],
        "loss": [round(l, 6) for l in losses],
        "package": debian_package_version(),
        "blas": blas,
        "python": platform.python_version(),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        log(f"median step {med:.0f} ms, {result['images_per_s']:.3f} images/s, "
            f"peak RSS {peak_rss_mb:.0f} MB")
    return result


if __name__ == "__main__":
    main()
