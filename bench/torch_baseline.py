#!/usr/bin/python3
"""PyTorch baseline for `npm run bench -- train`: the reference model's training step, timed.

The model is the reference pipeline's (docs: reference-pipeline.md section 6): token + position
embeddings, L pre-norm blocks with separate bias-free Wq/Wk/Wv/Wo and an MLP of width 4d with
exact (erf) GELU, final LayerNorm and an untied bias-free output head; dropout 0. One step is
zero-grad, forward, mean cross-entropy over all B*T positions, backward, global-norm clip to 1.0
and AdamW (lr 3e-4, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 on every parameter).

This is only a benchmark baseline, never a runtime dependency. Run it with Debian's
`/usr/bin/python3` after `apt-get install -y python3-torch libopenblas0-pthread`.

Usage:
  /usr/bin/python3 bench/torch_baseline.py --layers 4 --d-model 128 --heads 1 --context 64 \
      --batch 64 --vocab 500 [--threads 1,2] [--blas-threads 1,2] [--warmup 3] [--min-seconds 3]
      [--min-steps 5]

Every pair of torch.set_num_threads value and OpenBLAS thread count is timed (OpenBLAS keeps its
own thread pool, which torch.set_num_threads does not change); "best" is the fastest pair by
median ms/step ("msPerStep" is the median of the timed steps, as bench/train-step.ts reports
ours). Each pair runs in its own interpreter.

Prints one JSON object on stdout. When torch cannot be imported it prints
{"available": false, "reason": ...} and exits 0, so the caller can show "baseline unavailable".
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import time


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--d-model", type=int, required=True)
    parser.add_argument("--heads", type=int, required=True)
    parser.add_argument("--context", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--vocab", type=int, required=True)
    parser.add_argument("--threads", default="1,2", help="torch.set_num_threads values to try (comma-separated)")
    parser.add_argument("--blas-threads", default="1,2", help="OpenBLAS thread counts to try with each (comma-separated)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per thread setting")
    parser.add_argument("--min-seconds", type=float, default=3.0, help="time at least this long")
    parser.add_argument("--min-steps", type=int, default=5, help="time at least this many steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--single", help="internal: time only this 'threads,blas-threads' pair in this process")
    return parser.parse_args(argv)


def build_model(torch, layers, d_model, heads, context, vocab):
    """The reference model (section 6) with the reference initialisation."""
    nn = torch.nn
    functional = torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d_model, eps=1e-5)
            self.wq = nn.Linear(d_model, d_model, bias=False)
            self.wk = nn.Linear(d_model, d_model, bias=False)
            self.wv = nn.Linear(d_model, d_model, bias=False)
            self.wo = nn.Linear(d_model, d_model, bias=False)
            self.ln2 = nn.LayerNorm(d_model, eps=1e-5)
            self.fc1 = nn.Linear(d_model, 4 * d_model)
            self.fc2 = nn.Linear(4 * d_model, d_model)

        def attention(self, x, mask):
            b, t, _ = x.shape
            dh = d_model // heads

            def split(y):
                return y.view(b, t, heads, dh).transpose(1, 2)

            q, k, v = split(self.wq(x)), split(self.wk(x)), split(self.wv(x))
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(dh)
            scores = scores.masked_fill(~mask[:t, :t], float("-inf"))
            probs = torch.softmax(scores, dim=-1)
            out = (probs @ v).transpose(1, 2).reshape(b, t, d_model)
            return self.wo(out)

        def forward(self, x, mask):
            x = x + self.attention(self.ln1(x), mask)
            return x + self.fc2(functional.gelu(self.fc1(self.ln2(x))))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d_model)
            self.pos = nn.Embedding(context, d_model)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln_f = nn.LayerNorm(d_model, eps=1e-5)
            self.head = nn.Linear(d_model, vocab, bias=False)
            mask = torch.tril(torch.ones(context, context, dtype=torch.bool))
            self.register_buffer("mask", mask, persistent=False)

        def forward(self, tokens):
            t = tokens.shape[1]
            x = self.tok(tokens) + self.pos(torch.arange(t))
            for block in self.blocks:
                x = block(x, self.mask)
            return self.head(self.ln_f(x))

    model = Model()
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
    for block in model.blocks:
        nn.init.normal_(block.wo.weight, 0.0, 0.02 / math.sqrt(2 * layers))
        nn.init.normal_(block.fc2.weight, 0.0, 0.02 / math.sqrt(2 * layers))
    return model


def loaded_blas():
    """Paths of the BLAS/LAPACK libraries mapped into this process."""
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if "blas" in name or "lapack" in name:
                paths.add(path)
    return sorted(paths)


def openblas_handle(paths):
    """A ctypes handle on the loaded OpenBLAS, or None when torch uses another BLAS."""
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_set_num_threads.argtypes = [ctypes.c_int]
            return lib
        except (OSError, AttributeError):
            continue
    return None


def blas_info(torch):
    """Which BLAS torch really calls: the mapped libraries and, for OpenBLAS, its config."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # make sure the BLAS library is loaded
    paths = loaded_blas()
    info = {"libraries": paths, "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}
    lib = openblas_handle(paths)
    if lib is not None:
        info["openblas_config"] = lib.openblas_get_config().decode()
        info["openblas_core"] = lib.openblas_get_corename().decode()
    else:
        info["warning"] = "OpenBLAS not loaded: install libopenblas0-pthread (reference BLAS is ~25x slower)"
    return info, lib


def time_steps(torch, args, threads, blas_threads, blas):
    """Builds the model, warms up, and times training steps with `threads` torch (OpenMP) threads
    and `blas_threads` OpenBLAS threads (torch.set_num_threads does not reach OpenBLAS's own pool)."""
    torch.set_num_threads(threads)
    if blas is not None:
        blas.openblas_set_num_threads(blas_threads)
    torch.manual_seed(args.seed)
    model = build_model(torch, args.layers, args.d_model, args.heads, args.context, args.vocab)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    tokens = torch.randint(0, args.vocab, (args.batch, args.context + 1))
    inputs, targets = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < args.min_steps or time.perf_counter() - start < args.min_seconds:
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    if not math.isfinite(loss):
        raise RuntimeError(f"loss is {loss}")
    return {
        "threads": threads,
        "blasThreads": blas_threads if blas is not None else None,
        "msPerStep": 1000 * statistics.median(times),
        "meanMsPerStep": 1000 * sum(times) / len(times),
        "steps": len(times),
        "lastLoss": loss,
    }


def run_setting(argv, threads, blas_threads):
    """Times one setting in a fresh interpreter, so no thread pool outlives its setting; the
    pools start at the right size through OMP_NUM_THREADS and OPENBLAS_NUM_THREADS."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(max(1, blas_threads)))
    command = [sys.executable, os.path.abspath(__file__), *argv, "--single", f"{threads},{blas_threads}"]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv):
    args = parse_args(argv)
    shape = {k: getattr(args, k) for k in ("layers", "d_model", "heads", "context", "batch", "vocab")}
    if args.d_model % args.heads != 0:
        raise SystemExit("--d-model must be a multiple of --heads")
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"available": False, "reason": f"cannot import torch: {error}", "python": sys.executable}))
        return
    blas, lib = blas_info(torch)
    if args.single is not None:
        threads, blas_threads = (int(x) for x in args.single.split(","))
        print(json.dumps(time_steps(torch, args, threads, blas_threads, lib)))
        return
    blas_threads = [int(b) for b in args.blas_threads.split(",")] if lib is not None else [0]
    results = [run_setting(argv, int(t), b) for t in args.threads.split(",") for b in blas_threads]
    best = min(results, key=lambda r: r["msPerStep"])
    print(json.dumps({
        "available": True,
        "torch": torch.__version__,
        "python": sys.executable,
        "blas": blas,
        "shape": shape,
        "results": results,
        "best": best,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
