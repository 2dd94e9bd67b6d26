"""A Llama-architecture causal LM in plain torch, for the bundled model's fast start.

With torch, this module, the safetensors file and the `tokenizers` library, a fresh process is
ready to score in a fraction of the time transformers' ``from_pretrained`` takes (README "Speed",
from scripts/bench_lm.py). The scores are the same:
tests/test_scoring_model.py checks this forward against transformers' LlamaForCausalLM on the
bundled model (bit for bit in fp32 on this project's CPUs).

Only what the bundled model's config uses is implemented (``supports`` says which configs
qualify): RMSNorm, rotary position embeddings of the default kind, grouped-query attention
without biases, a SiLU-gated MLP and an output layer tied or not to the embeddings. Any other
model directory goes through transformers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from mtqa.scoring.native_files import supports  # noqa: F401 - where it was first defined


def _rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    # As transformers' LlamaRMSNorm: normalise in float32, scale in the model's dtype.
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(x.dtype)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


# A layer's weights, in the forward's order.
LAYER_PARTS = ("ln1", "qkv", "o", "ln2", "gate_up", "down")


def read_weights(path: Path) -> dict[str, torch.Tensor]:
    """The model directory's own safetensors weights, by their Hugging Face names."""
    from safetensors.torch import load_file

    weights: dict[str, torch.Tensor] = {}
    for f in sorted(path.glob("*.safetensors")):
        weights.update(load_file(str(f)))
    return weights


def fuse(cfg: dict, weights: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """The weights as the forward uses them, in ``dtype``: q, k and v in one matrix, and gate and
    up in another (two matmuls fewer per layer); the output layer only where it is not tied."""

    def w(name):
        return weights[name].to(dtype=dtype).contiguous()

    out = {"embed": w("model.embed_tokens.weight"), "norm": w("model.norm.weight")}
    if "lm_head.weight" in weights and not cfg.get("tie_word_embeddings"):
        out["lm_head"] = w("lm_head.weight")
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out[f"{i}.ln1"] = w(p + "input_layernorm.weight")
        out[f"{i}.qkv"] = torch.cat([w(p + "self_attn.q_proj.weight"), w(p + "self_attn.k_proj.weight"),
                                     w(p + "self_attn.v_proj.weight")])
        out[f"{i}.o"] = w(p + "self_attn.o_proj.weight")
        out[f"{i}.ln2"] = w(p + "post_attention_layernorm.weight")
        out[f"{i}.gate_up"] = torch.cat([w(p + "mlp.gate_proj.weight"), w(p + "mlp.up_proj.weight")])
        out[f"{i}.down"] = w(p + "mlp.down_proj.weight")
    return out


class KVState:
    """The keys and values of a prefix, per layer: [batch, kv_heads, length, head_dim]."""

    def __init__(self, layers: list[tuple[torch.Tensor, torch.Tensor]]):
        self.layers = layers

    def row(self, j: int) -> "KVState":
        """Row ``j`` of a batch's state, as a batch of one."""
        return KVState([(k[j : j + 1], v[j : j + 1]) for k, v in self.layers])

    def expand(self, n: int) -> "KVState":
        return KVState([(k.expand(n, -1, -1, -1), v.expand(n, -1, -1, -1)) for k, v in self.layers])

    @property
    def length(self) -> int:
        return self.layers[0][0].shape[2] if self.layers else 0


class Llama:
    """Weights plus a forward pass; no autograd, no generation, no training."""

    def __init__(self, cfg: dict, fused: dict[str, torch.Tensor], dtype: torch.dtype, device: str):
        """``fused``: the weights as ``fuse`` lays them out, in ``dtype`` (memory-mapped from the
        pre-converted file on the CPU: used in place, never copied)."""
        self.n_layers = cfg["num_hidden_layers"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads") or self.n_heads
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.n_heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        rope = cfg.get("rope_parameters") or {}
        theta = rope.get("rope_theta", cfg.get("rope_theta", 10000.0))
        self.dtype, self.device = dtype, device

        def w(name):  # a no-op (no copy) where the tensor already has this device and dtype
            return fused[name].to(device=device, dtype=dtype)

        self.embed = w("embed")
        self.lm_head = w("lm_head") if "lm_head" in fused else self.embed
        self.norm = w("norm")
        self.layers = [tuple(w(f"{i}.{part}") for part in LAYER_PARTS) for i in range(self.n_layers)]
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32, device=device)
                                         / self.head_dim))

    @classmethod
    def load(cls, path: Path, dtype: torch.dtype = torch.float32, device: str = "cpu") -> "Llama":
        """The model directory's weights in ``dtype``: on the CPU from a pre-converted file, laid
        out as the forward uses them and memory-mapped (written the first time; see
        mtqa.scoring.native_files), so a load neither converts nor copies."""
        from mtqa.scoring import native_files

        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        name = {torch.float32: "fp32", torch.bfloat16: "bf16"}.get(dtype)
        if device == "cpu" and name:
            fused = native_files.load_converted(path, name, lambda: fuse(cfg, read_weights(path), dtype))
        else:
            fused = fuse(cfg, read_weights(path), dtype)
        return cls(cfg, fused, dtype, device)

    def _rope(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        freqs = positions.float()[..., None] * self.inv_freq  # [b, t, d/2]
        emb = torch.cat((freqs, freqs), dim=-1)[:, None]  # [b, 1, t, d]
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    @torch.inference_mode()
    def forward(self, input_ids: torch.Tensor, key_mask: torch.Tensor, positions: torch.Tensor,
                keep: int | None = None, past: KVState | None = None, want_state: bool = False,
                select: torch.Tensor | None = None):
        """Logits of the last ``keep`` positions (all when None), and optionally the new KVState.
        ``select`` [b, t] (bool): instead, the logits of the marked positions only, as one
        [marked, vocab] tensor in row order (the output layer is a third of a token's work).

        ``key_mask`` [b, past + t] marks real tokens (1) and padding (0) among the keys, the
        prefix in ``past`` included. Each query sees the real keys at or before it, and itself:
        a padding row then attends to something and stays finite, and no real row looks at it.
        """
        b, t = input_ids.shape
        n_past = past.length if past is not None else 0
        x = F.embedding(input_ids, self.embed)
        cos, sin = self._rope(positions)
        q_idx = torch.arange(n_past, n_past + t, device=x.device)[:, None]
        k_idx = torch.arange(n_past + t, device=x.device)[None, :]
        allowed = (k_idx <= q_idx)[None] & key_mask.bool()[:, None, :]
        allowed = (allowed | (k_idx == q_idx)[None])[:, None]  # [b, 1, t, past + t]
        scale = 1.0 / math.sqrt(self.head_dim)
        hq, hk, d = self.n_heads, self.n_kv, self.head_dim
        new_state = []
        for i, (ln1, qkv_w, o_w, ln2, gate_up_w, down_w) in enumerate(self.layers):
            h = _rms_norm(x, ln1, self.eps)
            q, k, v = (h @ qkv_w.T).split([hq * d, hk * d, hk * d], dim=-1)
            q = q.view(b, t, hq, d).transpose(1, 2)
            k = k.view(b, t, hk, d).transpose(1, 2)
            v = v.view(b, t, hk, d).transpose(1, 2)
            q = q * cos + _rotate_half(q) * sin
            k = k * cos + _rotate_half(k) * sin
            if past is not None:
                pk, pv = past.layers[i]
                k, v = torch.cat([pk, k], dim=2), torch.cat([pv, v], dim=2)
            if want_state:
                new_state.append((k, v))
            # Grouped-query attention inside SDPA, without copying k and v per query head: 6%
            # faster than repeat_interleave here, the same numbers to the bit.
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=scale, enable_gqa=hk != hq)
            x = x + a.transpose(1, 2).reshape(b, t, hq * d) @ o_w.T
            h = _rms_norm(x, ln2, self.eps)
            gate, up = (h @ gate_up_w.T).chunk(2, dim=-1)
            x = x + (F.silu(gate) * up) @ down_w.T
        if select is not None:
            x = x[select]
        elif keep is not None:
            x = x[:, -keep:]
        logits = _rms_norm(x, self.norm, self.eps) @ self.lm_head.T
        return logits, (KVState(new_state) if want_state else None)
