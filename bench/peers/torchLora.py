#!/usr/bin/python3
"""PyTorch peer for loraledger's CPU LoRA fine-tuning: a plain-torch Llama forward/backward.

Dependencies: torch (Debian's python3-torch) and the standard library only; no transformers,
no safetensors package. Run it with /usr/bin/python3 (Debian's torch lives in its dist-packages).
See torchLora.md beside this file for the file formats, the FLOP formula and what was verified.

Modes:
  grad     one forward+backward on a given batch; writes loss, optional logits and gradients
  bench    timed LoRA training steps (forward + backward + AdamW) on random batches
  check    self-test: float32 vs float64 gradients and central finite differences (float64)
  compare  compares two grad output files (JSON or safetensors) tensor by tensor
"""
import argparse
import json
import math
import os
import re
import resource
import struct
import sys
import time

import torch
import torch.nn.functional as F

if sys.byteorder != 'little':  # safetensors is little-endian; frombuffer reads native order
    raise SystemExit('torchLora.py: a little-endian host is required')

TARGETS = ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj')
ATTN = ('q_proj', 'k_proj', 'v_proj', 'o_proj')
SHORT = {'q': 'q_proj', 'k': 'k_proj', 'v': 'v_proj', 'o': 'o_proj', 'gate': 'gate_proj', 'up': 'up_proj',
         'down': 'down_proj'}

# ---------------------------------------------------------------- safetensors (read and write)

ST_DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
    'BOOL': torch.bool,
}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}


def st_header(path):
    with open(path, 'rb') as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError(f'{path}: too short for a safetensors file')
        (n,) = struct.unpack('<Q', raw)
        header = json.loads(f.read(n).decode('utf-8'))
    header.pop('__metadata__', None)
    return header, 8 + n


def st_read(path, names=None):
    """Returns {name: tensor} in the stored dtype (F32/F16/BF16/F64 and integer types)."""
    header, start = st_header(path)
    out = {}
    with open(path, 'rb') as f:
        for name, info in header.items():
            if names is not None and name not in names:
                continue
            dtype = ST_DTYPES.get(info['dtype'])
            if dtype is None:
                raise ValueError(f'{path}: tensor {name} has unsupported dtype {info["dtype"]}')
            begin, end = info['data_offsets']
            shape = info['shape']
            numel = math.prod(shape)
            itemsize = torch.empty((), dtype=dtype).element_size()
            if end - begin != numel * itemsize:
                raise ValueError(f'{path}: tensor {name}: {end - begin} bytes for shape {shape} {info["dtype"]}')
            if numel == 0:
                out[name] = torch.empty(shape, dtype=dtype)
                continue
            buf = bytearray(end - begin)
            f.seek(start + begin)
            if f.readinto(buf) != len(buf):
                raise ValueError(f'{path}: tensor {name} runs past the end of the file')
            out[name] = torch.frombuffer(buf, dtype=dtype).reshape(shape)
    return out


def st_write(path, tensors, metadata=None):
    """Writes {name: tensor} as safetensors, each tensor in its own dtype."""
    header, offset, parts = {}, 0, []
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        nbytes = t.numel() * t.element_size()
        header[name] = {'dtype': ST_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + nbytes]}
        parts.append(t)
        offset += nbytes
    hdr = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hdr += b' ' * (-len(hdr) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hdr)))
        f.write(hdr)
        for t in parts:
            if t.numel() == 0:
                continue
            buf = bytearray(t.numel() * t.element_size())
            torch.frombuffer(buf, dtype=torch.uint8).copy_(t.reshape(-1).view(torch.uint8))
            f.write(buf)


# ---------------------------------------------------------------- model folder

def model_files(model_dir):
    index = os.path.join(model_dir, 'model.safetensors.index.json')
    if os.path.exists(index):
        with open(index) as f:
            wmap = json.load(f)['weight_map']
        return sorted(set(os.path.join(model_dir, v) for v in wmap.values()))
    single = os.path.join(model_dir, 'model.safetensors')
    if os.path.exists(single):
        return [single]
    files = sorted(os.path.join(model_dir, n) for n in os.listdir(model_dir) if n.endswith('.safetensors'))
    if not files:
        raise SystemExit(f'torchLora.py: {model_dir} has no model.safetensors, index or *.safetensors')
    return files


def load_weights(model_dir):
    w = {}
    for path in model_files(model_dir):
        w.update(st_read(path))
    return w


def load_config(model_dir, weights, args):
    """The config fields this forward uses; missing config.json falls back to tensor shapes."""
    path = os.path.join(model_dir, 'config.json')
    cfg = {}
    if os.path.exists(path):
        with open(path) as f:
            cfg = json.load(f)
    elif weights is None:
        raise SystemExit(f'torchLora.py: {path} is missing (needed with --random-weights)')
    if weights is not None:  # infer what the shapes tell, for folders with weights only
        emb = weights['model.embed_tokens.weight']
        cfg.setdefault('vocab_size', emb.shape[0])
        cfg.setdefault('hidden_size', emb.shape[1])
        cfg.setdefault('num_hidden_layers',
                       1 + max(int(m.group(1)) for m in (re.match(r'model\.layers\.(\d+)\.', k) for k in weights) if m))
        cfg.setdefault('intermediate_size', weights['model.layers.0.mlp.gate_proj.weight'].shape[0])
        cfg.setdefault('tie_word_embeddings', 'lm_head.weight' not in weights)
    for kv in args.set or []:  # --set key=json-value overrides (or supplies) config.json fields
        key, _, val = kv.partition('=')
        try:
            cfg[key] = json.loads(val)
        except ValueError:
            cfg[key] = val
    if 'num_attention_heads' not in cfg:
        raise SystemExit('torchLora.py: no config.json num_attention_heads: pass --set num_attention_heads=H '
                         '(and num_key_value_heads, rms_norm_eps, rope_theta, which shapes cannot tell)')
    D, H = cfg['hidden_size'], cfg['num_attention_heads']
    c = {
        'D': D, 'I': cfg['intermediate_size'], 'L': cfg['num_hidden_layers'], 'H': H,
        'Hkv': cfg.get('num_key_value_heads') or H,
        'Dh': cfg.get('head_dim') or D // H,
        'V': cfg['vocab_size'],
        'eps': cfg.get('rms_norm_eps', 1e-6),
        'theta': cfg.get('rope_theta', 10000.0),
        'tie': cfg.get('tie_word_embeddings', False),
        # biases the checkpoint must have (any other *.bias present is used as well): Qwen2 has q/k/v
        # biases; Llama's attention_bias adds q/k/v/o biases and mlp_bias gate/up/down biases
        'biases': (['q_proj', 'k_proj', 'v_proj'] if cfg.get('model_type') == 'qwen2' else
                   ['q_proj', 'k_proj', 'v_proj', 'o_proj'] if cfg.get('attention_bias') else []) +
                  (['gate_proj', 'up_proj', 'down_proj'] if cfg.get('mlp_bias') else []),
        'rope_scaling': cfg.get('rope_scaling'),
    }
    if c['H'] % c['Hkv']:
        raise SystemExit('torchLora.py: num_attention_heads must be a multiple of num_key_value_heads')
    return c


def proj_shape(c, t):
    """(out, in) of a projection, as Hugging Face stores the weight."""
    D, I, H, Hkv, Dh = c['D'], c['I'], c['H'], c['Hkv'], c['Dh']
    return {'q_proj': (H * Dh, D), 'k_proj': (Hkv * Dh, D), 'v_proj': (Hkv * Dh, D), 'o_proj': (D, H * Dh),
            'gate_proj': (I, D), 'up_proj': (I, D), 'down_proj': (D, I)}[t]


def hf_name(l, t, suffix='weight'):
    return f'model.layers.{l}.{"self_attn" if t in ATTN else "mlp"}.{t}.{suffix}'


def random_weights(c, seed):
    """N(0, 0.02) projections and embeddings, unit norms: for benches from a config alone."""
    g = torch.Generator().manual_seed(seed)
    w = {'model.embed_tokens.weight': torch.randn(c['V'], c['D'], generator=g) * 0.02,
         'model.norm.weight': torch.ones(c['D'])}
    if not c['tie']:
        w['lm_head.weight'] = torch.randn(c['V'], c['D'], generator=g) * 0.02
    for l in range(c['L']):
        for t in TARGETS:
            w[hf_name(l, t)] = torch.randn(*proj_shape(c, t), generator=g) * 0.02
        for n in ('input_layernorm', 'post_attention_layernorm'):
            w[f'model.layers.{l}.{n}.weight'] = torch.ones(c['D'])
    return w


def rope_inv_freq(c):
    Dh = c['Dh']
    inv = 1.0 / (c['theta'] ** (torch.arange(0, Dh, 2, dtype=torch.float64) / Dh))
    rs = c['rope_scaling']
    if not rs:
        return inv
    kind = rs.get('rope_type', rs.get('type', 'default'))
    if kind == 'default':
        return inv
    if kind == 'linear':
        return inv / rs['factor']
    if kind == 'llama3':  # as transformers' _compute_llama3_parameters
        factor, lo, hi = rs['factor'], rs['low_freq_factor'], rs['high_freq_factor']
        old = rs['original_max_position_embeddings']
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / lo, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= old / hi) & (wavelen <= old / lo)
        return torch.where(medium, smoothed, scaled)
    raise SystemExit(f'torchLora.py: rope_scaling type {kind!r} is not supported (default, linear, llama3 are)')


class Model:
    """Hugging Face LlamaForCausalLM (and Qwen2 q/k/v biases) in plain torch, one dtype throughout."""

    def __init__(self, c, weights, dtype, full=False, consume=False):
        """consume: take the tensors out of `weights` (no second copy in memory); else copy them."""
        self.c, self.dtype = c, dtype
        self.w = {}
        for k in list(weights):
            v = weights.pop(k) if consume else weights[k]
            if v.is_floating_point():
                v = v.to(dtype)
                self.w[k] = (v if consume else v.clone()).requires_grad_(full)
        if c['tie']:
            self.w.pop('lm_head.weight', None)
        missing = [n for n in self.expected() if n not in self.w]
        if missing:
            raise SystemExit(f'torchLora.py: the checkpoint lacks {missing[:5]}{" ..." if len(missing) > 5 else ""}')
        self.lora = {}  # (layer, target) -> (A [r, in], B [out, r])
        self.scale = 1.0

    def expected(self):
        c = self.c
        names = ['model.embed_tokens.weight', 'model.norm.weight'] + ([] if c['tie'] else ['lm_head.weight'])
        for l in range(c['L']):
            names += [hf_name(l, t) for t in TARGETS]
            names += [f'model.layers.{l}.input_layernorm.weight', f'model.layers.{l}.post_attention_layernorm.weight']
            names += [hf_name(l, t, 'bias') for t in c['biases']]
        return names

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.c['eps']) * w

    def linear(self, x, l, t):
        y = F.linear(x, self.w[hf_name(l, t)], self.w.get(hf_name(l, t, 'bias')))
        ab = self.lora.get((l, t))
        if ab is not None:
            y = y + self.scale * F.linear(F.linear(x, ab[0]), ab[1])
        return y

    def forward(self, input_ids, seq_len):
        """Logits [B, T, V] of a right-padded batch; keys at t >= seq_len[b] are never attended."""
        c, w = self.c, self.w
        B, T = input_ids.shape
        H, Hkv, Dh = c['H'], c['Hkv'], c['Dh']
        pos = torch.arange(T, dtype=torch.float64)
        freqs = torch.outer(pos, rope_inv_freq(c))
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos().to(self.dtype), emb.sin().to(self.dtype)  # [T, Dh]

        def rope(x):  # x [B, heads, T, Dh], rotate-half convention
            x1, x2 = x[..., :Dh // 2], x[..., Dh // 2:]
            return x * cos + torch.cat([-x2, x1], -1) * sin

        i = torch.arange(T)
        allowed = (i[None, :] <= i[:, None])[None, :, :] & (i[None, None, :] < seq_len[:, None, None])  # [B, T, T]
        mask = torch.zeros(B, 1, T, T, dtype=self.dtype).masked_fill(~allowed[:, None], torch.finfo(self.dtype).min)

        x = F.embedding(input_ids, w['model.embed_tokens.weight'])
        for l in range(c['L']):
            p = f'model.layers.{l}.'
            h = self.rms(x, w[p + 'input_layernorm.weight'])
            q = self.linear(h, l, 'q_proj').view(B, T, H, Dh).transpose(1, 2)
            k = self.linear(h, l, 'k_proj').view(B, T, Hkv, Dh).transpose(1, 2)
            v = self.linear(h, l, 'v_proj').view(B, T, Hkv, Dh).transpose(1, 2)
            q, k = rope(q), rope(k)
            if Hkv != H:  # head h reads kv head h // (H / Hkv), as transformers' repeat_kv
                k = k.repeat_interleave(H // Hkv, dim=1)
                v = v.repeat_interleave(H // Hkv, dim=1)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(Dh) + mask, dim=-1)
            o = (att @ v).transpose(1, 2).reshape(B, T, H * Dh)
            x = x + self.linear(o, l, 'o_proj')
            h = self.rms(x, w[p + 'post_attention_layernorm.weight'])
            x = x + self.linear(F.silu(self.linear(h, l, 'gate_proj')) * self.linear(h, l, 'up_proj'), l, 'down_proj')
        x = self.rms(x, w['model.norm.weight'])
        return F.linear(x, w['model.embed_tokens.weight'] if c['tie'] else w['lm_head.weight'])

    def loss(self, batch, want_logits=False):
        logits = self.forward(batch['input_ids'], batch['seq_len'])
        mask = batch['loss_mask'].to(self.dtype)
        labels = torch.where(batch['loss_mask'] > 0, batch['labels'], torch.zeros_like(batch['labels']))
        nll = -torch.log_softmax(logits, -1).gather(-1, labels[..., None])[..., 0]
        total = (nll * mask).sum()
        scale = batch.get('loss_scale')
        loss = total * scale if scale is not None else total / mask.sum()
        return loss, (logits if want_logits else None)


# ---------------------------------------------------------------- LoRA

def lora_name(l, t, ab):
    """PEFT's adapter_model.safetensors name: lora_A [r, in], lora_B [out, r]."""
    return f'base_model.model.model.layers.{l}.{"self_attn" if t in ATTN else "mlp"}.{t}.lora_{ab}.weight'


LORA_RE = re.compile(r'(?:^|\.)layers\.(\d+)\.(?:self_attn\.|mlp\.)?(' + '|'.join(TARGETS) + r')\.lora_([AB])(?:\.[\w-]+)?'
                     r'(?:\.weight)?$')
SHORT_RE = re.compile(r'^lora_([AB])\.(\d+)\.(' + '|'.join(TARGETS) + r')$')


def parse_targets(s):
    if s in ('all', ''):
        return list(TARGETS)
    out = []
    for part in s.split(','):
        part = part.strip()
        t = SHORT.get(part, part)
        if t not in TARGETS:
            raise SystemExit(f'torchLora.py: unknown LoRA target {part!r} (one of {", ".join(TARGETS)} or all)')
        out.append(t)
    return out


def lora_scale(alpha, r, rslora):
    return alpha / math.sqrt(r) if rslora else alpha / r


def init_lora(c, targets, r, init_b, seed):
    """PEFT's default init in float32 (so float32 and float64 runs start from identical values):
    A ~ kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)); B = 0, or with init_b='kaiming'
    U(-1/sqrt(r), 1/sqrt(r)) so that A's gradients are not all zero."""
    torch.manual_seed(seed)
    out = {}
    for l in range(c['L']):
        for t in targets:
            dout, din = proj_shape(c, t)
            A = torch.empty(r, din)
            torch.nn.init.kaiming_uniform_(A, a=math.sqrt(5))
            B = torch.empty(dout, r)
            if init_b == 'kaiming':
                torch.nn.init.kaiming_uniform_(B, a=math.sqrt(5))
            else:
                torch.nn.init.zeros_(B)
            out[(l, t)] = [A, B]
    return out


def tensor_from_json(v):
    if isinstance(v, dict):
        return torch.tensor(v['data'], dtype=torch.float64).reshape(v['shape'])
    return torch.tensor(v, dtype=torch.float64)


def read_lora(path):
    """LoRA values from JSON, a safetensors file or a PEFT adapter folder. Returns (dict, meta)."""
    meta, raw = {}, {}
    if os.path.isdir(path):
        cfg_path = os.path.join(path, 'adapter_config.json')
        if os.path.exists(cfg_path):
            with open(cfg_path) as f:
                acfg = json.load(f)
            meta = {'lora_alpha': acfg.get('lora_alpha'), 'r': acfg.get('r'), 'use_rslora': acfg.get('use_rslora', False)}
        path = os.path.join(path, 'adapter_model.safetensors')
    if path.endswith('.json'):
        with open(path) as f:
            doc = json.load(f)
        for k in ('lora_scale', 'lora_alpha', 'r', 'use_rslora'):
            if k in doc:
                meta[k] = doc[k]
        src = doc.get('tensors', doc)
        raw = {k: tensor_from_json(v) for k, v in src.items() if isinstance(v, (dict, list))}
    else:
        raw = st_read(path)
        with open(path, 'rb') as f:
            (n,) = struct.unpack('<Q', f.read(8))
            md = json.loads(f.read(n)).get('__metadata__', {}) or {}
        if 'lora_scale' in md:
            meta['lora_scale'] = float(md['lora_scale'])
    out = {}
    for k, v in raw.items():
        m = SHORT_RE.match(k)
        if m:
            ab, l, t = m.group(1), int(m.group(2)), m.group(3)
        else:
            m = LORA_RE.search(k)
            if not m:
                raise SystemExit(f'torchLora.py: {path}: cannot tell layer/target/A-B from tensor name {k!r}')
            l, t, ab = int(m.group(1)), m.group(2), m.group(3)
        out.setdefault((l, t), [None, None])['AB'.index(ab)] = v.to(torch.float64)
    for key, ab in out.items():
        if ab[0] is None or ab[1] is None:
            raise SystemExit(f'torchLora.py: {path}: layer {key[0]} {key[1]} has only one of lora_A/lora_B')
    return out, meta


def attach_lora(model, lora, scale, dtype):
    c = model.c
    params = []
    for (l, t), (A, B) in sorted(lora.items()):
        dout, din = proj_shape(c, t)
        r = A.shape[0]
        if l >= c['L'] or tuple(A.shape) != (r, din) or tuple(B.shape) != (dout, r):
            raise SystemExit(f'torchLora.py: LoRA layer {l} {t}: A {list(A.shape)}, B {list(B.shape)}; '
                             f'expected A [r, {din}], B [{dout}, r] (PEFT orientation)')
        a = A.to(dtype).clone().requires_grad_(True)
        b = B.to(dtype).clone().requires_grad_(True)
        model.lora[(l, t)] = (a, b)
        params += [a, b]
    model.scale = scale
    return params


# ---------------------------------------------------------------- batches

def read_batch(path):
    if path.endswith('.json'):
        with open(path) as f:
            doc = json.load(f)
        get = lambda k: torch.tensor(doc[k]) if k in doc else None
        loss_scale = doc.get('loss_scale')
    else:
        st = st_read(path)
        get = lambda k: st.get(k)
        loss_scale = float(st['loss_scale'].reshape(-1)[0]) if 'loss_scale' in st else None
    ids = get('input_ids').to(torch.int64)
    if ids.dim() == 1:
        ids = ids[None]
    return make_batch(ids, get('labels'), get('loss_mask'), get('seq_len'), loss_scale)


def make_batch(ids, labels=None, loss_mask=None, seq_len=None, loss_scale=None):
    B, T = ids.shape
    seq_len = torch.full((B,), T, dtype=torch.int64) if seq_len is None else seq_len.to(torch.int64).reshape(B)
    if (seq_len < 1).any() or (seq_len > T).any():
        raise SystemExit('torchLora.py: every seq_len must be in 1..T')
    t = torch.arange(T)
    if labels is None:  # labels = next tokens; the last real token and padding have no target
        labels = torch.cat([ids[:, 1:], torch.zeros(B, 1, dtype=torch.int64)], 1)
        if loss_mask is None:
            loss_mask = (t[None, :] + 1 < seq_len[:, None]).to(torch.int64)
    if loss_mask is None:
        loss_mask = (t[None, :] < seq_len[:, None]).to(torch.int64)
    return {'input_ids': ids, 'labels': labels.to(torch.int64).reshape(B, T),
            'loss_mask': loss_mask.reshape(B, T), 'seq_len': seq_len, 'loss_scale': loss_scale}


# ---------------------------------------------------------------- grad mode

def setup(args, dtype, full=False, weights=None):
    """(config, Model); weights given are copied, weights read here are handed over."""
    consume = weights is None
    if weights is None:
        weights = None if getattr(args, 'random_weights', False) else load_weights(args.model)
    c = load_config(args.model, weights, args)
    if weights is None:
        weights = random_weights(c, args.seed)
    return c, Model(c, weights, dtype, full=full, consume=consume)


def resolve_lora(args, c):
    """(lora values in float64 or float32, scale, rank) from --lora or a fresh init."""
    meta = {}
    if args.lora:
        lora, meta = read_lora(args.lora)
    else:
        lora = init_lora(c, parse_targets(args.targets), args.rank, args.init_b, args.seed)
    ranks = sorted(set(A.shape[0] for A, _ in lora.values()))
    r = ranks[0] if len(ranks) == 1 else None
    # precedence: --scale, then --alpha (with the values' rank), then the file's lora_scale, then the
    # file's lora_alpha / r (PEFT adapter_config.json), then alpha = r (scale 1)
    rr = r or meta.get('r') or args.rank
    rslora = args.rslora or bool(meta.get('use_rslora'))
    if args.scale is not None:
        scale = args.scale
    elif args.alpha is not None:
        scale = lora_scale(args.alpha, rr, rslora)
    elif 'lora_scale' in meta:
        scale = float(meta['lora_scale'])
    else:
        scale = lora_scale(meta.get('lora_alpha') or rr, rr, rslora)
    return lora, scale, r


def run_grad(args, dtype, weights=None, lora=None, batch=None, want_logits=False, full=False):
    """Returns a result dict: loss, loss_tokens, logits?, grads {name: tensor}, params {name: tensor}."""
    c, model = setup(args, dtype, full=full, weights=weights)
    if lora is None:
        lora, scale, r = resolve_lora(args, c)
    else:
        lora, scale, r = lora
    attach_lora(model, lora, scale, dtype)
    loss, logits = model.loss(batch, want_logits)
    loss.backward()
    grads, params = {}, {}
    for (l, t), (a, b) in sorted(model.lora.items()):
        for ab, p in (('A', a), ('B', b)):
            grads[lora_name(l, t, ab)] = p.grad
            params[lora_name(l, t, ab)] = p.detach()
    if full:
        for k, p in model.w.items():
            grads[k] = p.grad if p.grad is not None else torch.zeros_like(p)
    return {'loss': loss.item(), 'loss_tokens': int(batch['loss_mask'].sum()), 'logits': logits,
            'grads': grads, 'params': params, 'lora_scale': scale, 'rank': r,
            'targets': sorted(set(t for _, t in model.lora), key=TARGETS.index)}


def write_result(path, res, dtype, model_dir):
    meta = {'format': 'torchLora.grad/1', 'torch_version': torch.__version__, 'dtype': str(dtype).replace('torch.', ''),
            'model': os.path.abspath(model_dir), 'loss': res['loss'], 'loss_tokens': res['loss_tokens'],
            'lora_scale': res['lora_scale'], 'rank': res['rank'], 'targets': res['targets']}
    if path.endswith('.safetensors'):
        tensors = {'loss': torch.tensor(res['loss'], dtype=torch.float64)}
        if res['logits'] is not None:
            tensors['logits'] = res['logits'].detach().to(torch.float64)
        for k, g in res['grads'].items():
            tensors['grad:' + k] = g.to(torch.float64)
        st_write(path, tensors, {k: json.dumps(v) if not isinstance(v, str) else v for k, v in meta.items()})
        return
    flat = lambda t: {'shape': list(t.shape), 'data': t.detach().to(torch.float64).reshape(-1).tolist()}
    doc = dict(meta)
    if res['logits'] is not None:
        doc['logits'] = flat(res['logits'])
    doc['grads'] = {k: flat(g) for k, g in res['grads'].items()}
    with open(path, 'w') as f:
        json.dump(doc, f, allow_nan=False, separators=(',', ':'))


def write_lora(path, res, scale):
    if path.endswith('.safetensors'):
        st_write(path, {k: v.to(torch.float32) for k, v in res['params'].items()}, {'lora_scale': scale})
        return
    doc = {'lora_scale': scale,
           'tensors': {k: {'shape': list(v.shape), 'data': v.to(torch.float64).reshape(-1).tolist()}
                       for k, v in res['params'].items()}}
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))


def cmd_grad(args):
    dtype = {'float64': torch.float64, 'float32': torch.float32}[args.dtype]
    torch.set_num_threads(args.threads)
    batch = read_batch(args.batch)
    res = run_grad(args, dtype, batch=batch, want_logits=args.logits, full=args.full)
    write_result(args.out, res, dtype, args.model)
    if args.save_lora:
        write_lora(args.save_lora, res, res['lora_scale'])
    print(json.dumps({'mode': 'grad', 'loss': res['loss'], 'loss_tokens': res['loss_tokens'], 'dtype': args.dtype,
                      'tensors': len(res['grads']), 'out': args.out}))


# ---------------------------------------------------------------- compare / check

def read_result(path):
    if path.endswith('.safetensors'):
        st = st_read(path)
        grads = {k[len('grad:'):]: v for k, v in st.items() if k.startswith('grad:')}
        return float(st['loss']), grads, st.get('logits')
    with open(path) as f:
        doc = json.load(f)
    logits = tensor_from_json(doc['logits']) if 'logits' in doc else None
    return doc['loss'], {k: tensor_from_json(v) for k, v in doc['grads'].items()}, logits


def rel_err(a, b):
    """||a - b|| / ||b|| (b the reference); 0 when both are zero."""
    a, b = a.to(torch.float64), b.to(torch.float64)
    den = b.norm().item()
    num = (a - b).norm().item()
    return num / den if den > 0 else (0.0 if num == 0 else float('inf'))


def compare(loss_a, grads_a, loss_b, grads_b, logits_a=None, logits_b=None):
    only = sorted(set(grads_a) ^ set(grads_b))
    per = {k: rel_err(grads_a[k], grads_b[k]) for k in sorted(set(grads_a) & set(grads_b))}
    worst = max(per, key=per.get) if per else None
    out = {'loss_a': loss_a, 'loss_b': loss_b, 'loss_rel': abs(loss_a - loss_b) / abs(loss_b),
           'tensors': len(per), 'max_grad_rel': per[worst] if worst else None, 'worst': worst,
           'max_abs_diff': max(((grads_a[k].double() - grads_b[k].double()).abs().max().item() for k in per), default=None),
           'not_in_both': only}
    if logits_a is not None and logits_b is not None:
        out['logits_rel'] = rel_err(logits_a, logits_b)
    return out


def cmd_compare(args):
    la, ga, xa = read_result(args.a)
    lb, gb, xb = read_result(args.b)
    print(json.dumps(compare(la, ga, lb, gb, xa, xb)))


def cmd_check(args):
    """float32 vs float64 gradients, and central finite differences of the float64 loss."""
    torch.set_num_threads(args.threads)
    weights = None if args.random_weights else load_weights(args.model)
    c = load_config(args.model, weights, args)
    if weights is None:
        weights = random_weights(c, args.seed)
    g = torch.Generator().manual_seed(args.seed)
    B, T = args.batch_size, args.seq
    ids = torch.randint(0, c['V'], (B, T), generator=g)
    seq_len = torch.tensor([T - (b * 3) % T for b in range(B)]).clamp(min=2)  # ragged rows, right-padded
    batch = make_batch(ids, seq_len=seq_len)
    lora = init_lora(c, parse_targets(args.targets), args.rank, 'kaiming', args.seed)
    scale = lora_scale(args.alpha if args.alpha is not None else 2 * args.rank, args.rank, args.rslora)
    r64 = run_grad(args, torch.float64, weights, (lora, scale, args.rank), batch, True, args.full)
    r32 = run_grad(args, torch.float32, weights, (lora, scale, args.rank), batch, True, args.full)
    report = {'mode': 'check', 'model': args.model, 'batch': [B, T], 'seq_len': seq_len.tolist(),
              'targets': r64['targets'], 'rank': args.rank, 'lora_scale': scale, 'full': args.full,
              'f32_vs_f64': compare(r32['loss'], r32['grads'], r64['loss'], r64['grads'], r32['logits'], r64['logits'])}
    del report['f32_vs_f64']['not_in_both']

    # central finite differences in float64 on a few entries of a few tensors
    _, model = setup(args, torch.float64, weights=weights)
    lora64 = {k: [A.to(torch.float64).clone(), B_.to(torch.float64).clone()] for k, (A, B_) in lora.items()}
    attach_lora(model, lora64, scale, torch.float64)
    names = sorted(r64['grads'])
    lora_names = [n for n in names if '.lora_' in n]
    base_names = [n for n in names if '.lora_' not in n]
    pick = [lora_names[int(i)] for i in torch.randint(0, len(lora_names), (args.points,), generator=g)]
    if base_names:  # embeddings (lookup and, when tied, lm_head) and the final norm always, then random ones
        fixed = [n for n in ('model.embed_tokens.weight', 'lm_head.weight', 'model.norm.weight') if n in base_names]
        pick += fixed + [base_names[int(i)] for i in
                         torch.randint(0, len(base_names), (max(args.points - len(fixed), 0),), generator=g)]
    index = {}
    for (l, t), (a, b) in model.lora.items():
        index[lora_name(l, t, 'A')], index[lora_name(l, t, 'B')] = a, b
    index.update(model.w)
    fd, worst, ok_fd = [], 0.0, True
    with torch.no_grad():
        for name in pick:
            p = index[name]
            j = int(torch.randint(0, p.numel(), (1,), generator=g))
            if name == 'model.embed_tokens.weight':  # a row of a token in the batch: lookup + tied-head paths
                j = int(ids[0, 1]) * c['D'] + j % c['D']
            flat = p.view(-1)
            x0 = flat[j].item()
            flat[j] = x0 + args.eps
            lp = model.loss(batch)[0].item()
            flat[j] = x0 - args.eps
            lm = model.loss(batch)[0].item()
            flat[j] = x0
            num = (lp - lm) / (2 * args.eps)
            ana = r64['grads'][name].reshape(-1)[j].item()
            err = abs(num - ana) / max(abs(ana), abs(num), 1e-300)
            worst = max(worst, err)
            # pass: |fd - analytic| <= 1e-5 |analytic| + atol, atol ~ the rounding noise of a central difference
            atol = 10 * 2.2e-16 * abs(r64['loss']) / args.eps
            ok_fd = ok_fd and abs(num - ana) <= 1e-5 * abs(ana) + atol
            fd.append({'tensor': name, 'index': j, 'analytic': ana, 'finite_diff': num, 'abs_err': abs(num - ana),
                       'rel_err': err})
    report['finite_diff'] = {'eps': args.eps, 'points': len(fd), 'max_rel_err': worst, 'ok': ok_fd,
                             'criterion': '|fd - analytic| <= 1e-5*|analytic| + 10*2.2e-16*|loss|/eps', 'entries': fd}
    report['ok'] = ok = report['f32_vs_f64']['max_grad_rel'] < 1e-4 and ok_fd
    print(json.dumps(report, indent=None if args.compact else 1))
    sys.exit(0 if ok else 1)


# ---------------------------------------------------------------- bench mode

def flop_estimate(c, targets, r, B, T):
    """Model FLOPs of one LoRA training step (see torchLora.md). Returns (flops, parts)."""
    D, I, H, Hkv, Dh, L, V = c['D'], c['I'], c['H'], c['Hkv'], c['Dh'], c['L'], c['V']
    N = B * T
    p_layer = D * H * Dh + 2 * D * Hkv * Dh + H * Dh * D + 3 * D * I
    p_lin = L * p_layer + V * D  # every matmul weight a token passes through (lm_head included, embedding lookup not)
    base = 2 * p_lin * N + 2 * p_lin * N  # forward + activation gradients through the frozen base
    lora = 3 * 2 * N * r * L * sum(sum(proj_shape(c, t)) for t in targets)  # forward + dA,dB + dx
    attn = 3 * 4 * B * T * T * H * Dh * L  # QK^T and PV over the full T x T (masked) matrix; backward = 2x
    return base + lora + attn, {'base': base, 'lora': lora, 'attention': attn, 'P_lin': p_lin}


def cmd_bench(args):
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    t_load = time.perf_counter()
    c, model = setup(args, torch.float32)
    targets = parse_targets(args.targets)
    lora = init_lora(c, targets, args.rank, 'zero', args.seed)
    alpha = args.alpha if args.alpha is not None else args.rank
    params = attach_lora(model, lora, lora_scale(alpha, args.rank, args.rslora), torch.float32)
    opt = torch.optim.AdamW(params, lr=args.lr)
    load_s = time.perf_counter() - t_load
    g = torch.Generator().manual_seed(args.seed + 1)
    B, T = args.batch_size, args.seq

    def step():
        toks = torch.randint(0, c['V'], (B, T + 1), generator=g)
        batch = make_batch(toks[:, :T], labels=toks[:, 1:], loss_mask=torch.ones(B, T, dtype=torch.int64))
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(batch)[0]
        loss.backward()
        opt.step()
        return time.perf_counter() - t0, loss.item()

    for _ in range(args.warmup):
        step()
    times, losses = [], []
    for _ in range(args.steps):
        dt, lv = step()
        times.append(dt)
        losses.append(lv)
    flops, parts = flop_estimate(c, targets, args.rank, B, T)
    mean = sum(times) / len(times)
    print(json.dumps({
        'mode': 'bench', 'model': os.path.abspath(args.model), 'random_weights': bool(args.random_weights),
        'torch_version': torch.__version__, 'threads': torch.get_num_threads(), 'dtype': 'float32',
        'batch': B, 'seq': T, 'tokens_per_step': B * T, 'rank': args.rank, 'targets': targets,
        'trainable_params': sum(p.numel() for p in params), 'warmup_steps': args.warmup, 'steps': args.steps,
        'seconds_per_step': mean, 'seconds_per_step_min': min(times), 'tokens_per_s': B * T / mean,
        'gflop_per_step': flops / 1e9, 'gflop_per_s': flops / mean / 1e9,
        'flop_parts_gflop': {k: v / 1e9 for k, v in parts.items() if k != 'P_lin'}, 'P_lin': parts['P_lin'],
        'flop_formula': '4*P_lin*N + 6*N*r*L*sum_targets(d_in+d_out) + 12*B*T^2*H*Dh*L',
        'loss_first': losses[0], 'loss_last': losses[-1], 'load_seconds': load_s,
        'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


# ---------------------------------------------------------------- CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='mode', required=True)

    def common(p):
        p.add_argument('--model', required=True, help='Hugging Face Llama-family folder (config.json + safetensors)')
        p.add_argument('--threads', type=int, default=os.cpu_count() or 1, help='torch.set_num_threads (default: all cores)')
        p.add_argument('--seed', type=int, default=0)
        p.add_argument('--rank', type=int, default=16, help='LoRA r for a fresh init (default 16)')
        p.add_argument('--alpha', type=float, default=None, help='lora_alpha (default: r, i.e. scale 1; check: 2r)')
        p.add_argument('--rslora', action='store_true', help='scale alpha/sqrt(r) instead of alpha/r')
        p.add_argument('--targets', default='all', help='comma list of q_proj,...,down_proj (or q,k,v,o,gate,up,down), or all')
        p.add_argument('--set', action='append', metavar='KEY=JSON',
                       help='override/supply a config.json field, e.g. --set num_attention_heads=9 (repeatable)')
        p.add_argument('--random-weights', action='store_true', help='N(0,0.02) weights from config.json alone')

    p = sub.add_parser('grad', help='one forward+backward; writes loss, logits and gradients')
    common(p)
    p.add_argument('--batch', required=True, help='batch file (.json, or .safetensors with integer tensors)')
    p.add_argument('--out', required=True, help='output: .json (flat lists) or .safetensors (F64)')
    p.add_argument('--lora', help='LoRA values: .json, .safetensors, or a PEFT adapter folder; default: fresh init')
    p.add_argument('--scale', type=float, default=None, help='LoRA scale, overriding the file and --alpha')
    p.add_argument('--init-b', choices=('zero', 'kaiming'), default='zero', help='fresh B init (zero = PEFT)')
    p.add_argument('--save-lora', help='write the LoRA A/B values used (.json or .safetensors)')
    p.add_argument('--dtype', choices=('float64', 'float32'), default='float64')
    p.add_argument('--logits', action='store_true', help='also write the logits [B, T, V]')
    p.add_argument('--full', action='store_true', help='also write every base-weight gradient')
    p.set_defaults(fn=cmd_grad)

    p = sub.add_parser('bench', help='timed LoRA training steps (forward+backward+AdamW), float32')
    common(p)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--seq', type=int, default=128)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--lr', type=float, default=1e-4)
    p.set_defaults(fn=cmd_bench)

    p = sub.add_parser('check', help='self-test: float32 vs float64 and finite differences')
    common(p)
    p.add_argument('--batch-size', type=int, default=3)
    p.add_argument('--seq', type=int, default=12)
    p.add_argument('--points', type=int, default=8, help='finite-difference entries (LoRA; and as many base with --full)')
    p.add_argument('--eps', type=float, default=1e-6)
    p.add_argument('--full', action='store_true', help='also check base-weight gradients')
    p.add_argument('--compact', action='store_true')
    p.set_defaults(fn=cmd_check, rank=4)

    p = sub.add_parser('compare', help='compare two grad outputs: relative L2 error per tensor (b = reference)')
    p.add_argument('a')
    p.add_argument('b')
    p.set_defaults(fn=cmd_compare)

    args = ap.parse_args(argv)
    args.fn(args)


if __name__ == '__main__':
    main()
