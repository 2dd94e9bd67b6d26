"""LanguageModel: token log-probabilities of texts in context, batched, deduplicated and cached.

Everything the scorer and the fluency detector ask of the model is one question: given a
preceding ``context``, what log-probability does the model give each token of ``text``? Pairs
are tokenised once, deduplicated (syndicated copies repeat sentences), looked up in the disk
cache, sorted by length into batches with little padding, and run under ``torch.inference_mode``
with left padding, so that only the last positions of each row need the (large) output layer.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from mtqa.scoring.cache import ScoreCache, text_key
from mtqa.scoring.manifest import ModelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def _torch():
    """torch, imported on first use: a rerun whose every score is cached never needs it (about a
    second of CPU and 250 MB less; README "The language model")."""
    import torch

    return torch

DEFAULT_WINDOW = 256  # context tokens kept before the scored text
MEMO_SIZE = 20_000  # (context, text) scores kept in memory
SHARED_CONTEXT_MIN = 48  # shorter shared contexts are cheaper to batch than to cache
TOKEN_SCORE_CHUNK = 4  # positions per log-softmax over the vocabulary (see _token_scores)
# A forward's cost beyond its positions, in positions: reading every weight once and 30 layers of
# small operations. On the project's CPU one 64-token row alone cost what 64 + 80 positions of a
# full batch do, two 128-token rows 256 + 43; replaying the pipeline's batched calls on 20 clean
# articles, 64 was faster than 256 or 512 (README "Speed"). length_batches weighs it against padding.
BATCH_COST = 64


@dataclass(frozen=True)
class TokenScores:
    """Per-token log-probabilities (natural log) of one text, with code-point offsets into it."""

    text: str
    starts: np.ndarray
    ends: np.ndarray
    logprobs: np.ndarray
    entropies: np.ndarray

    @property
    def total(self) -> float:
        return float(self.logprobs.sum())

    def __len__(self) -> int:
        return len(self.logprobs)

    def slice(self, start: int, end: int) -> "TokenScores":
        """The scores of ``text[start:end]`` as if it had been scored alone in this pass: the tokens
        that begin before ``end`` and end after ``start``, with the white space a first token carries
        before ``start`` kept (a BPE token glues the space to the word after it). A first token that
        carries part of a word before ``start`` is left out: its score is the word's before it."""
        keep = (self.starts < end) & (self.ends > start)
        idx = np.flatnonzero(keep)
        lo = start
        if len(idx):
            first = int(idx[0])
            s0 = int(self.starts[first])
            if s0 < start:
                if self.text[s0:start].isspace():
                    lo = s0
                else:
                    idx = idx[1:]
        return TokenScores(self.text[lo:end], (self.starts[idx] - lo).astype(np.int32),
                           (np.minimum(self.ends[idx], end) - lo).astype(np.int32),
                           self.logprobs[idx], self.entropies[idx])


def length_batches(rows: list, budget: int, length=len) -> list[list]:
    """``rows`` sorted by length into batches of similar length, each within a token budget
    (rows x longest row), cut where the padding plus a forward's fixed cost is least. The
    benchmark uses it too, so it times the batches the scorer builds.

    Filling each batch up to the budget in length order put rows of 50 and 200 tokens in one batch:
    a quarter of the positions computed for the fluency rule's windows were padding. Here the cuts
    minimise, by dynamic programming over the sorted lengths, the positions computed (rows x
    longest row, padding included) plus BATCH_COST positions per batch (README "Speed")."""
    rows = sorted(rows, key=length)
    n = len(rows)
    lens = [max(1, length(r)) for r in rows]
    best = [0.0] + [float("inf")] * n  # best[j]: the least cost of batching rows[:j]
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        width = lens[j - 1]  # the longest row of any batch that ends at j
        i = j - 1
        while i >= 0 and (j - i) * width <= budget or i == j - 1:
            cost = best[i] + (j - i) * width + BATCH_COST
            if cost < best[j]:
                best[j], cut[j] = cost, i
            i -= 1
    batches = []
    j = n
    while j > 0:
        batches.append(rows[cut[j] : j])
        j = cut[j]
    return batches[::-1]


def default_threads() -> int:
    """The cores this process may use, capped at 8: more threads than cores only adds contention
    on CPU. (Config.threads, from --threads or $MTQA_THREADS, overrides it.)"""
    n = os.cpu_count() or 1
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    return max(1, min(8, n))


def _gpu_device_nodes() -> bool:
    """Whether this machine shows a GPU at all (NVIDIA or ROCm device nodes, or CUDA devices made
    visible): without one, ``auto`` is the CPU, decided without importing torch."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", "").strip() not in ("", "-1"):
        return True
    return any(Path(p).exists() for p in ("/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd", "/dev/dxg"))


def resolve_device(device: str) -> str:
    if device == "auto":
        if not _gpu_device_nodes():
            return "cpu"
        return "cuda" if _torch().cuda.is_available() else "cpu"
    if device == "cuda" and not _torch().cuda.is_available():
        raise ModelError("--device cuda was asked for, but torch sees no CUDA device; use --device cpu")
    return device


def resolve_precision(precision: str, device: str) -> str:
    """``auto``: bf16 where the hardware computes it natively (CUDA with bf16; a CPU with AMX or
    AVX512-BF16: much faster for nearly the same scores, see README "Speed"), else fp32."""
    if precision != "auto":
        return precision
    if device == "cuda":
        return "bf16" if _torch().cuda.is_bf16_supported() else "fp32"
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "fp32"
    return "bf16" if ("amx_bf16" in flags or "avx512_bf16" in flags) else "fp32"


def _dir_fingerprint(path: Path) -> str:
    """Config plus weight-file sizes and mtimes: enough to tell two local models apart."""
    h = hashlib.sha256()
    for p in sorted(path.iterdir()):
        if p.is_file() and (p.suffix in (".json", ".safetensors", ".bin", ".model")):
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{int(st.st_mtime)}".encode())
            if p.suffix == ".json" and st.st_size < 1_000_000:
                h.update(p.read_bytes())
    return h.hexdigest()[:12]


class FastTokenizer:
    """The bundled model's tokenizer.json through the `tokenizers` library directly.

    transformers' AutoTokenizer takes ten times longer to build this tokenizer; `tokenizers` loads
    the same file and gives identical ids and offsets (tests/test_scoring_model.py checks it).
    Only the calls LanguageModel makes are provided.
    """

    def __init__(self, path: Path):
        from tokenizers import Tokenizer

        self._tk = Tokenizer.from_file(str(path / "tokenizer.json"))
        cfg = {}
        try:
            cfg = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass

        def special(name):
            tok = cfg.get(name)
            tok = tok.get("content") if isinstance(tok, dict) else tok
            return self._tk.token_to_id(tok) if tok else None

        self.bos_token_id = special("bos_token")
        self.eos_token_id = special("eos_token")
        self.pad_token_id = special("pad_token")

    def __call__(self, text: str, add_special_tokens: bool = False, return_offsets_mapping: bool = False):
        enc = self._tk.encode(text, add_special_tokens=add_special_tokens)
        out = {"input_ids": enc.ids}
        if return_offsets_mapping:
            out["offset_mapping"] = enc.offsets
        return out

    def convert_tokens_to_ids(self, token: str) -> int | None:
        return self._tk.token_to_id(token)


class TransformersBackend:
    """Any local Hugging Face causal LM, through transformers."""

    name = "transformers"

    def __init__(self, model):
        self.model = model

    def logits(self, input_ids, mask, positions, keep: int):
        try:
            return self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                              logits_to_keep=keep, use_cache=False).logits
        except TypeError:  # an older architecture without logits_to_keep
            return self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                              use_cache=False).logits[:, -keep:]

    def prefix(self, ids):
        """Logits of the prefix's last position, and its key/value state."""
        out = self.model(input_ids=ids, use_cache=True, logits_to_keep=1)
        return out.logits[0, -1:], out.past_key_values

    def extend(self, state, n_rows: int, input_ids, key_mask, positions):
        """Logits of every position of ``input_ids`` (n_rows rows) after the prefix ``state``."""
        state.batch_repeat_interleave(n_rows)
        return self.model(input_ids=input_ids, attention_mask=key_mask, position_ids=positions,
                          cache_position=positions[0], past_key_values=state, use_cache=True).logits


class NativeLlamaBackend:
    """The bundled model through mtqa.scoring.llama: the same scores, a fraction of the start-up."""

    name = "native"

    def __init__(self, model):
        self.model = model

    def logits(self, input_ids, mask, positions, keep: int):
        return self.model.forward(input_ids, mask, positions, keep=keep)[0]

    def selected_logits(self, input_ids, mask, positions, select):
        """Logits of the positions ``select`` marks only, [marked, vocab] in row order."""
        return self.model.forward(input_ids, mask, positions, select=select)[0]

    def prefix(self, ids):
        torch = _torch()
        mask = torch.ones_like(ids)
        positions = torch.arange(ids.shape[1], device=ids.device)[None]
        logits, state = self.model.forward(ids, mask, positions, keep=1, want_state=True)
        return logits[0, -1:], state

    def prefixes(self, input_ids, mask, positions):
        """Several left-padded prefixes in one forward: the logits of each row's last position
        [rows, vocab], and the key/value state of all rows (``KVState.row`` takes one out)."""
        logits, state = self.model.forward(input_ids, mask, positions, keep=1, want_state=True)
        return logits[:, -1], state

    def extend(self, state, n_rows: int, input_ids, key_mask, positions):
        return self.model.forward(input_ids, key_mask, positions, past=state.expand(n_rows))[0]


class LanguageModel:
    """A causal LM that returns token log-probabilities of texts after a context.

    The weights are loaded on the first score that is neither in memory nor in the disk cache
    (``loader``), so a rerun whose every score is cached never loads them.
    """

    def __init__(self, backend, tokenizer, model_id: str, device: str, prefix_id: int | None,
                 window: int = DEFAULT_WINDOW, cache: ScoreCache | None = None, batch_tokens: int = 4096,
                 max_text_tokens: int = 512, loader=None, exact_id: str | None = None,
                 precision: str = "fp32", backend_name: str | None = None):
        self.precision = precision
        self.backend_name = backend_name or getattr(backend, "name", "?")
        self._backend = backend  # TransformersBackend or NativeLlamaBackend; None until needed
        self._loader = loader  # loader(exact: bool) -> backend
        self._exact_backend = None
        self.tokenizer = tokenizer
        self.model_id = model_id
        # The exact pass's scores are float32 on every machine: one id, one cache entry for all.
        self.exact_id = exact_id or f"{model_id}/exact-fp32"
        self.device = device
        self.prefix_id = prefix_id
        self.window = window
        self.cache = cache or ScoreCache(None)
        self.batch_tokens = batch_tokens
        self.max_text_tokens = max_text_tokens
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self.trace: list[list[int]] | None = None  # set to [] to record every computed sequence
        self.stats = {"requested": 0, "unique": 0, "cached": 0, "computed": 0, "tokens": 0, "padded": 0,
                      "forward_s": 0.0, "exact": 0, "loads": 0}

    @property
    def backend(self):
        if self._backend is None:
            self._backend = self._loader(False)
            self.stats["loads"] += 1
        return self._backend

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    def exact_backend(self):
        """The float32 backend of the exact pass: the same one when the model runs in float32,
        else a float32 copy of the weights, loaded the first time an exact answer is computed."""
        if self.precision == "fp32":  # the batched pass already runs in float32: one set of weights
            return self.backend
        if self._exact_backend is None:
            self._exact_backend = self._loader(True)
            self.stats["loads"] += 1
        return self._exact_backend

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike, device: str = "auto", precision: str = "auto",
             cache_path: Path | None = None, prefix_token: str | None = None, model_id: str | None = None,
             threads: int | None = None, window: int = DEFAULT_WINDOW,
             native: bool = False) -> "LanguageModel":
        """A local Hugging Face causal LM directory (never from a hub); its weights load lazily.

        ``precision``: auto, fp32, bf16 or int8 (dynamic quantisation of the linear layers, CPU
        only; measured far off fp32 on this model, see scripts/bench_lm.py). ``native``: run a
        Llama directory through mtqa.scoring.llama and the `tokenizers` library instead of
        transformers (the bundled model uses it; a directory it cannot compute exactly, or int8,
        goes through transformers regardless). ``threads``: torch's CPU threads (None: all the
        cores this process may use, at most 8).
        """
        path = Path(path)
        if not (path / "config.json").is_file():
            raise ModelError(f"{path} is not a Hugging Face model directory (no config.json)")
        device = resolve_device(device)
        precision = resolve_precision(precision, device)
        native = native and precision != "int8" and (path / "tokenizer.json").is_file()
        try:
            if native:
                from mtqa.scoring.native_files import supports

                native = supports(path)
            tok = FastTokenizer(path) if native else cls._transformers_tokenizer(path)
        except ModelError:
            raise
        except Exception as exc:  # many kinds; all mean "this is not a loadable causal LM"
            raise ModelError(f"cannot load a causal language model from {path}: {exc}") from exc

        def loader(exact: bool):
            want = "fp32" if exact else precision
            torch = _torch()
            if device == "cpu":  # set when the weights load: a fully cached run never imports torch
                torch.set_num_threads(threads or default_threads())
            try:
                if native:
                    from mtqa.scoring import llama

                    dtype = torch.float32 if want == "fp32" else torch.bfloat16
                    return NativeLlamaBackend(llama.Llama.load(path, dtype=dtype, device=device))
                return cls._load_transformers(path, want, device)
            except ModelError:
                raise
            except Exception as exc:
                raise ModelError(f"cannot load a causal language model from {path}: {exc}") from exc

        prefix_id = None
        if prefix_token is not None:
            prefix_id = tok.convert_tokens_to_ids(prefix_token)
        if prefix_id is None:
            prefix_id = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        base = model_id or f"{path.name}-{_dir_fingerprint(path)}"
        return cls(None, tok, f"{base}/{precision}/w{window}", device, prefix_id, window=window,
                   cache=ScoreCache(cache_path), loader=loader, exact_id=f"{base}/exact-fp32/w{window}",
                   precision=precision, backend_name="native" if native else "transformers")

    @staticmethod
    def _transformers_tokenizer(path: Path):
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        return AutoTokenizer.from_pretrained(path, local_files_only=True)

    @staticmethod
    def _load_transformers(path: Path, precision: str, device: str):
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch = _torch()
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
        model.eval()
        if precision == "int8":
            if device != "cpu":
                raise ModelError("int8 dynamic quantisation runs on the CPU only; use --device cpu")
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        model.to(device)
        return TransformersBackend(model)

    # ---- tokenising ----------------------------------------------------------------------
    def _encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return list(enc["input_ids"]), list(enc["offset_mapping"])

    def _context_ids(self, context: str) -> list[int]:
        ids = self.tokenizer(context, add_special_tokens=False)["input_ids"] if context else []
        keep = self.window - 1 if self.prefix_id is not None else self.window
        ids = list(ids[-keep:]) if keep > 0 else []
        ids = ([self.prefix_id] if self.prefix_id is not None else []) + ids
        # The first scored token needs something to be predicted from.
        return ids or [self.tokenizer.eos_token_id if self.tokenizer.eos_token_id is not None else 0]

    # ---- scoring -------------------------------------------------------------------------
    def score(self, items: Sequence[tuple[str, str]]) -> list[TokenScores]:
        """Token log-probabilities of each ``text`` after its ``context`` (the last ``window`` tokens).

        Identical pairs are computed once; pairs seen before come from the disk cache.
        """
        self.stats["requested"] += len(items)
        keys = [text_key(self.model_id, c, t) for c, t in items]
        unique: dict[str, tuple[str, str]] = {}
        for k, item in zip(keys, items):
            unique.setdefault(k, item)
        self.stats["unique"] += len(unique)
        # Recent scores in memory first (syndicated copies in one run repeat sentences, even when
        # the disk cache is off), then the disk cache.
        found = {k: self._memo[k] for k in unique if k in self._memo}
        found.update(self.cache.get_many([k for k in unique if k not in found]))
        self.stats["cached"] += len(found)
        encoded = {t: self._encode(t) for t in {t for _, t in unique.values()}}
        todo = [(k, unique[k]) for k in unique if k not in found]
        if todo:
            computed = self._compute([it for _, it in todo], encoded)
            new = {k: lp for (k, _), lp in zip(todo, computed)}
            self.cache.put_many(new)
            found.update(new)
        for k in unique:
            self._memo[k] = found[k]
            self._memo.move_to_end(k)
        while len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        out = []
        for k, (_, text) in zip(keys, items):
            ids, offs = encoded[text]
            ids, offs = ids[: self.max_text_tokens], offs[: self.max_text_tokens]
            lp = np.asarray(found[k], dtype=np.float32).reshape(2, -1)
            if lp.shape[1] != len(ids):  # a stale cache entry from another tokenizer: recompute
                lp = self._compute([unique[k]], encoded)[0].reshape(2, -1)
                self.cache.put_many({k: lp})
            starts = np.array([s for s, _ in offs], dtype=np.int32)
            ends = np.array([e for _, e in offs], dtype=np.int32)
            out.append(TokenScores(text, starts, ends, lp[0], lp[1]))
        return out

    def _compute(self, items: list[tuple[str, str]], encoded: dict | None = None) -> list[np.ndarray]:
        with _torch().inference_mode():
            return self._compute_all(items, encoded)

    def _compute_all(self, items: list[tuple[str, str]], encoded: dict | None = None) -> list[np.ndarray]:
        encoded = encoded or {}
        results: list[np.ndarray] = [np.zeros((2, 0), np.float32)] * len(items)
        groups: dict[tuple, list] = {}
        for i, (context, text) in enumerate(items):
            ids = (encoded.get(text) or self._encode(text))[0][: self.max_text_tokens]
            if ids:
                ctx = self._context_ids(context)
                groups.setdefault(tuple(ctx), []).append((i, ids))
                if self.trace is not None:
                    self.trace.append(ctx + ids)
        self.stats["computed"] += sum(len(g) for g in groups.values())
        started = time.perf_counter()
        singles, shared = [], []
        for ctx, members in groups.items():
            # Texts after one long shared context (a finding's original and its suggestions): run
            # the context once and the texts on its key/value cache.
            if len(members) > 1 and len(ctx) >= SHARED_CONTEXT_MIN:
                shared.append((list(ctx), members))
            else:
                singles.extend((i, list(ctx) + ids, len(ids)) for i, ids in members)
        if hasattr(self.backend, "prefixes"):
            self._compute_shared_batched(shared, results)
        else:
            for ctx, members in shared:
                self._compute_shared(ctx, members, results)
        self._compute_batched(singles, results)
        self.stats["forward_s"] += time.perf_counter() - started
        return results

    @staticmethod
    def _token_scores(lg, targets) -> np.ndarray:
        """Log-probabilities of ``targets`` under logits ``lg`` [n, vocab], and the entropies.

        Done a few positions at a time, so that the vocabulary-wide intermediates stay in the CPU
        cache (much faster than all positions at once, and the same numbers to the bit), in place
        where the operation allows it: the same operations, so the same bits, in a quarter to a third
        less time than with a new tensor for each step."""
        torch = _torch()
        n = len(targets)
        out = torch.empty((2, n), dtype=torch.float32, device=lg.device)
        for i in range(0, n, TOKEN_SCORE_CHUNK):
            part = lg[i : i + TOKEN_SCORE_CHUNK].float()  # lg itself when float32: never written to
            logz = torch.logsumexp(part, -1)
            out[0, i : i + TOKEN_SCORE_CHUNK] = part.gather(-1, targets[i : i + TOKEN_SCORE_CHUNK, None])[:, 0] - logz
            # The entropy of each prediction: how sure the model was before it saw the token.
            out[1, i : i + TOKEN_SCORE_CHUNK] = logz - (part - logz[:, None]).exp_().mul_(part).sum(-1)
        return out.cpu().numpy()

    def _compute_batched(self, rows: list[tuple[int, list[int], int]], results: list, backend=None) -> None:
        torch = _torch()
        backend = backend or self.backend
        batches = length_batches(rows, self.batch_tokens, length=lambda r: len(r[1]))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        dev = self.device
        for batch in batches:
            width = max(len(r[1]) for r in batch)
            keep = max(r[2] for r in batch) + 1
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for j, (_, ids, _) in enumerate(batch):  # left padding: every row ends at the same column
                input_ids[j, width - len(ids):] = torch.tensor(ids)
                mask[j, width - len(ids):] = 1
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            self.stats["tokens"] += int(mask.sum())
            self.stats["padded"] += int(mask.numel())
            if len(batch) > 1 and hasattr(backend, "selected_logits"):
                # The output layer only where a row's text is predicted: the rows' texts differ in
                # length, and the last ``keep`` columns of a short text's row are mostly context.
                # This is the batched pass, whose last digits already depend on the batch: the
                # output layer's matrix product over fewer rows may pick another kernel (the same
                # bits over a whole batch of clean news, 7e-6 apart on a batch of four rows;
                # tests/test_scoring_model.py). A row alone, as the exact pass runs, keeps the
                # plain path and its bits.
                select = torch.zeros((len(batch), width), dtype=torch.bool)
                for j, (_, _, n) in enumerate(batch):
                    select[j, width - 1 - n : width - 1] = True
                flat = backend.selected_logits(input_ids.to(dev), mask.to(dev), positions.to(dev), select.to(dev))
                at = 0
                for i, ids, n in batch:
                    targets = torch.tensor(ids[len(ids) - n :], device=flat.device)
                    results[i] = self._token_scores(flat[at : at + n], targets)
                    at += n
                continue
            logits = backend.logits(input_ids.to(dev), mask.to(dev), positions.to(dev), keep)
            logits = logits[:, -keep:-1]
            for j, (i, ids, n) in enumerate(batch):
                targets = torch.tensor(ids[len(ids) - n :], device=logits.device)
                results[i] = self._token_scores(logits[j, keep - 1 - n :], targets)

    def _compute_shared(self, ctx: list[int], members: list[tuple[int, list[int]]], results: list) -> None:
        torch, dev = _torch(), self.device
        first, state = self.backend.prefix(torch.tensor([ctx], device=dev))  # first: predicts every text's first token
        self.stats["tokens"] += len(ctx)
        self.stats["padded"] += len(ctx)
        self._extend(first, state, torch.ones(len(ctx), dtype=torch.long), len(ctx), members, results)

    def _compute_shared_batched(self, groups: list[tuple[list[int], list]], results: list) -> None:
        """``_compute_shared`` for many contexts, their prefixes in left-padded batches: a
        finding's 256-token context alone in a forward ran at about two thirds of a batch's speed."""
        torch, dev = _torch(), self.device
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        for batch in length_batches(groups, self.batch_tokens, length=lambda g: len(g[0])):
            width = max(len(ctx) for ctx, _ in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for j, (ctx, _) in enumerate(batch):
                input_ids[j, width - len(ctx):] = torch.tensor(ctx)
                mask[j, width - len(ctx):] = 1
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            self.stats["tokens"] += int(mask.sum())
            self.stats["padded"] += int(mask.numel())
            first, state = self.backend.prefixes(input_ids.to(dev), mask.to(dev), positions.to(dev))
            for j, (ctx, members) in enumerate(batch):
                self._extend(first[j : j + 1], state.row(j), mask[j], len(ctx), members, results)

    def _extend(self, first, state, prefix_mask, n_ctx: int, members: list[tuple[int, list[int]]],
                results: list) -> None:
        """Each member's text after the prefix ``state`` (its keys marked by ``prefix_mask``, of
        which ``n_ctx`` are real); ``first``: the prefix's last logits, which predict each text's
        first token."""
        torch, dev = _torch(), self.device
        width = max(len(ids) for _, ids in members)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        input_ids = torch.full((len(members), width), pad, dtype=torch.long)
        mask = torch.zeros((len(members), len(prefix_mask) + width), dtype=torch.long)
        mask[:, : len(prefix_mask)] = prefix_mask
        for j, (_, ids) in enumerate(members):  # right padding: pads come after every real token
            input_ids[j, : len(ids)] = torch.tensor(ids)
            mask[j, len(prefix_mask) : len(prefix_mask) + len(ids)] = 1
        positions = torch.arange(n_ctx, n_ctx + width)[None].expand(len(members), width)
        self.stats["tokens"] += sum(len(ids) for _, ids in members)
        self.stats["padded"] += len(members) * width
        logits = self.backend.extend(state, len(members), input_ids.to(dev), mask.to(dev), positions.to(dev))
        for j, (i, ids) in enumerate(members):
            lg = torch.cat([first, logits[j, : len(ids) - 1]])
            results[i] = self._token_scores(lg, torch.tensor(ids, device=lg.device))

    def answer(self, requests) -> "Answers":
        """The answers to model requests (anything with ``.context`` and ``.text``): the batched
        pass over all of them at once, and exact answers on demand."""
        return Answers(self, requests)

    def score_exact(self, context: str, text: str, read_from: int = 0) -> TokenScores:
        """Token log-probabilities of ``text`` after ``context``, computed alone (no padding, no
        batch), in float32, with the same window: the same numbers on every machine, thread count
        and batch, to float32 rounding. Cached on disk under ``exact_id``.

        ``read_from``: only the tokens that end after this code point of ``text`` are read, so the
        output layer runs on those positions only (the tokens before are still computed, as their
        context); the answer holds those tokens alone."""
        ids, offs = self._encode(text)
        ids, offs = ids[: self.max_text_tokens], offs[: self.max_text_tokens]
        first = next((k for k, (_, e) in enumerate(offs) if e > read_from), len(offs)) if read_from > 0 else 0
        key = text_key(self.exact_id, context, text) if first == 0 else text_key(self.exact_id, context, text, f"@{first}")
        lp = self._memo.get(key)
        if lp is None:
            lp = self.cache.get_many([key]).get(key)
        if lp is None or np.asarray(lp).size != 2 * (len(ids) - first):
            lp = self._compute_exact(context, ids, len(ids) - first)
            self.cache.put_many({key: lp})
        self._memo[key] = lp
        self._memo.move_to_end(key)
        lp = np.asarray(lp, dtype=np.float32).reshape(2, -1)
        offs = offs[first:]
        return TokenScores(text, np.array([s for s, _ in offs], dtype=np.int32),
                           np.array([e for _, e in offs], dtype=np.int32), lp[0], lp[1])

    def _compute_exact(self, context: str, ids: list[int], n: int | None = None) -> np.ndarray:
        with _torch().inference_mode():
            return self._compute_exact_alone(context, ids, len(ids) if n is None else n)

    def _compute_exact_alone(self, context: str, ids: list[int], n: int) -> np.ndarray:
        results: list[np.ndarray] = [np.zeros((2, 0), np.float32)]
        if ids and n:
            self.stats["exact"] += 1
            started = time.perf_counter()
            self._compute_batched([(0, self._context_ids(context) + ids, n)], results,
                                  backend=self.exact_backend())
            self.stats["forward_s"] += time.perf_counter() - started
        return results[0]

    def forget(self, disk: bool = False) -> None:
        """Drop the in-memory scores (and, with ``disk``, stop using the disk cache): the next
        call computes everything afresh."""
        self._memo.clear()
        if disk:
            self.cache = ScoreCache(None)

    def signature(self) -> dict:
        """What the scores depend on: the model id (with its precision and window) and the
        exact pass's, on which decisions at a threshold are made."""
        return {"model": self.model_id, "exact": self.exact_id}

    def describe(self) -> dict:
        return {"model_id": self.model_id, "backend": self.backend_name, "device": self.device, "window": self.window,
                "threads": _torch().get_num_threads(), "cache": str(self.cache.path) if self.cache.enabled else None}


class Answers:
    """The model's answers to one batch's requests (``ctx.model`` for the detectors)."""

    def __init__(self, lm: LanguageModel, requests):
        self._lm = lm
        items = list(dict.fromkeys((r.context, r.text) for r in requests))
        self._scores = dict(zip(items, lm.score(items))) if items else {}

    def __getitem__(self, request) -> TokenScores:
        scores = self._scores[(request.context, request.text)]
        read_from = getattr(request, "read_from", 0)
        if read_from <= 0:
            return scores
        keep = scores.ends > read_from
        return TokenScores(scores.text, scores.starts[keep], scores.ends[keep], scores.logprobs[keep],
                           scores.entropies[keep])

    def exact(self, request) -> TokenScores:
        return self._lm.score_exact(request.context, request.text, getattr(request, "read_from", 0))
