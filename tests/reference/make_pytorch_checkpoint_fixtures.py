#!/usr/bin/python3
"""PyTorch checkpoints in the official formats, for the kit's loader of torch.save files (Networks/PyTorchStateDict.cs).

Run by hand (not in CI):
    apt-get install python3-torch        # Debian 12: 1.13.1
    ONEDNN_MAX_CPU_ISA=AVX /usr/bin/python3 tests/reference/make_pytorch_checkpoint_fixtures.py [--paper]

The MedDeblur network is bench/pytorch/meddeblur_reference.py (the official SRNDeblurNet written again from the notes;
it computes exactly what the official code does). Its attention tensors are renamed here to the official state-dict
names (<block>.resblock_stack.3.square.* -> <block>.sam.multikernelconv1.square_conv.*, vertical -> ver_conv,
horizontal -> hor_conv, conv_cat -> convCat, se.fc -> depth.fc), and the checkpoint is written as the official code
writes it (mainModule/dpbs.py): torch.save({'step', 'stateDictEG', 'optimizerEG', 'schedulerLR'}).
SRN-DeblurNet is written here with the layer names of iwtw/SRN-DeblurNet (network.py, layers.py, conv_lstm.py) and saved
as that code saves it: torch.save(model.state_dict()).

Writes tests/MedDeblur.Core.Tests/Fixtures/PyTorch/:
  meddeblur_w4.pth      official layout at widths 4/8/16 (SE reduction 4; everything else official), with Adam state
                        (2.5 MB; widths 8/16/32 would be 7.3 MB with the optimizer state)
  meddeblur_w4_io.pth   {'input': [1,3,48,64] in [0,1], 'output': the network's finest output mapped to [0,1]}
  srn_w4.pth            iwtw/SRN-DeblurNet layout at widths 4/8/16 (plain state dict)
  srn_w4_io.pth         the same kind of input/output pair (SRN has no tanh: output = (raw + 1) / 2)
  paper_keys.json       key names and shapes of both state dicts at the paper's widths (32/64/128, SE 16)
With --paper also (about 32 MB, not committed; the test that uses it runs only when the file is present):
  local/meddeblur_paper.pth, local/meddeblur_paper_io.pth   the same at the paper's widths
"""
import argparse
import importlib.util
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "MedDeblur.Core.Tests", "Fixtures", "PyTorch")

_spec = importlib.util.spec_from_file_location("meddeblur_reference", os.path.join(ROOT, "bench", "pytorch", "meddeblur_reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

SAM_RENAMES = [(".resblock_stack.3.square.", ".sam.multikernelconv1.square_conv."),
               (".resblock_stack.3.vertical.", ".sam.multikernelconv1.ver_conv."),
               (".resblock_stack.3.horizontal.", ".sam.multikernelconv1.hor_conv."),
               (".resblock_stack.3.conv_cat.", ".sam.multikernelconv1.convCat."),
               (".resblock_stack.3.se.fc.", ".sam.multikernelconv1.depth.fc.")]


def official_names(state_dict):
    """The reference model's state dict under the official MedDeblur key names (same order, same tensors)."""
    renamed = {}
    for key, value in state_dict.items():
        new = key
        for old, official in SAM_RENAMES:
            if old in new:
                new = new.replace(old, official)
        assert ".resblock_stack.3." not in new, key
        renamed[new] = value
    return renamed


# ------------------------------------------------------------------------------------------------------------------
# SRN-DeblurNet with iwtw's names: EBlock.conv / resblock_stack.{0,1,2}.conv1.0 / conv2.0, DBlock.deconv, OutBlock.conv,
# CLSTM_cell.conv; no tanh. The skeleton (forward, ConvLSTM) is the reference's SRNDeblurNet.
# ------------------------------------------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(c, c, 5, 1, 2), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(c, c, 5, 1, 2))

    def forward(self, x):
        return self.conv2(self.conv1(x)) + x


class SRNDeblurNetIwtw(ref.SRNDeblurNet):
    """Run with srn_forward (no tanh)."""

    def __init__(self, width):
        super().__init__(width, se_reduction=1)
        for block, channels in [(self.inblock, width), (self.eblock1, 2 * width), (self.eblock2, 4 * width),
                                (self.dblock1, 4 * width), (self.dblock2, 2 * width), (self.outblock, width)]:
            block.resblock_stack = nn.Sequential(*[BasicBlock(channels) for _ in range(3)])
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.xavier_normal_(m.weight)


def srn_forward(model, b1, b2, b3):
    """iwtw's forward: the reference's 3-scale loop without the tanh on the finest output."""
    n, _, h3, w3 = b3.shape
    h = b3.new_zeros(n, model.lstm_channels, h3 // 4, w3 // 4)
    c = b3.new_zeros(n, model.lstm_channels, h3 // 4, w3 // 4)
    i3, h, c = model.forward_step(torch.cat([b3, torch.zeros_like(b3)], 1), (h, c))
    h, c = model._up2(h), model._up2(c)
    i2, h, c = model.forward_step(torch.cat([b2, model._up2(i3)], 1), (h, c))
    h, c = model._up2(h), model._up2(c)
    i1, h, c = model.forward_step(torch.cat([b1, model._up2(i2)], 1), (h, c))
    return i1


def pyramid(x01):
    """The kit's inference pyramid: levels bilinearly downsampled from the finest, data mapped to [-1, 1]."""
    b1 = x01 * 2 - 1
    h, w = x01.shape[2], x01.shape[3]
    b2 = F.interpolate(x01, size=(h // 2, w // 2), mode="bilinear", align_corners=False) * 2 - 1
    b3 = F.interpolate(x01, size=(h // 4, w // 4), mode="bilinear", align_corners=False) * 2 - 1
    return b1, b2, b3


def shapes(state_dict):
    return [{"key": k, "shape": list(v.shape)} for k, v in state_dict.items()]


def meddeblur_checkpoint(width, se_reduction, seed, with_optimizer):
    """A MedDeblur model with seeded random weights (one Adam step, so the optimizer holds state as in the official
    checkpoint) and the checkpoint dict of the official code."""
    torch.manual_seed(seed)
    model = ref.SRNDeblurNet(width, se_reduction)
    checkpoint = {"step": 0, "stateDictEG": None, "optimizerEG": None, "schedulerLR": None}
    if with_optimizer:
        opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.99))
        g = torch.Generator().manual_seed(seed)
        x = torch.rand(2, 3, 32, 32, generator=g)
        out, _, _ = model(*pyramid(x))
        F.mse_loss(out, x * 2 - 1).backward()
        opt.step()
        checkpoint["optimizerEG"] = opt.state_dict()
        checkpoint["step"] = 1
    else:
        del checkpoint["optimizerEG"]
    checkpoint["stateDictEG"] = official_names(model.state_dict())
    return model, checkpoint


def io_pair(model, forward, seed, h=48, w=64):
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.rand(1, 3, h, w, generator=g)
    model.eval()
    with torch.no_grad():
        y = forward(model, *pyramid(x))
    return {"input": x, "output": (y + 1) / 2}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paper", action="store_true", help="also write the paper-width checkpoint to local/ (not committed)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)

    med_forward = lambda m, b1, b2, b3: m(b1, b2, b3)[0]

    model, ckpt = meddeblur_checkpoint(4, 4, seed=10, with_optimizer=True)
    torch.save(ckpt, os.path.join(OUT, "meddeblur_w4.pth"))
    torch.save(io_pair(model, med_forward, 10), os.path.join(OUT, "meddeblur_w4_io.pth"))
    print(f"meddeblur_w4.pth: {sum(p.numel() for p in model.parameters()):,} parameters, {len(ckpt['stateDictEG'])} tensors")

    torch.manual_seed(20)
    srn = SRNDeblurNetIwtw(4)
    torch.save(srn.state_dict(), os.path.join(OUT, "srn_w4.pth"))
    torch.save(io_pair(srn, srn_forward, 20), os.path.join(OUT, "srn_w4_io.pth"))
    print(f"srn_w4.pth: {sum(p.numel() for p in srn.parameters()):,} parameters, {len(srn.state_dict())} tensors")

    paper = official_names(ref.SRNDeblurNet(32, 16).state_dict())
    srn_paper = SRNDeblurNetIwtw(32).state_dict()
    with open(os.path.join(OUT, "paper_keys.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_pytorch_checkpoint_fixtures.py", "torch": torch.__version__,
                   "meddeblur": {"parameters": sum(v.numel() for v in paper.values()), "tensors": shapes(paper)},
                   "srn": {"parameters": sum(v.numel() for v in srn_paper.values()), "tensors": shapes(srn_paper)}},
                  f, indent=1)
    print(f"paper_keys.json: meddeblur {len(paper)} tensors, srn {len(srn_paper)} tensors")

    if args.paper:
        local = os.path.join(OUT, "local")
        os.makedirs(local, exist_ok=True)
        model, ckpt = meddeblur_checkpoint(32, 16, seed=30, with_optimizer=False)
        torch.save(ckpt, os.path.join(local, "meddeblur_paper.pth"))
        torch.save(io_pair(model, med_forward, 30, 64, 80), os.path.join(local, "meddeblur_paper_io.pth"))
        print(f"local/meddeblur_paper.pth: {sum(p.numel() for p in model.parameters()):,} parameters")


if __name__ == "__main__":
    main()
