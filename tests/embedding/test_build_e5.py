"""The model built from registry packages is the real multilingual-e5-small."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.build_e5 import build_model, dequantize_q4_0, read_q4_file, weights_file
from assistant.embedding.encoder import E5ChromaEmbeddingFunction, E5LangChainEmbeddings, Encoder


def test_dequantize_q4_0_block_layout() -> None:
    # scale 0.5, nibbles: byte j = (hi << 4) | lo with lo = j, hi = 15 - j
    scale = np.array([0.5], dtype=np.float16).tobytes()
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    weights = dequantize_q4_0(scale + qs, 1, 32)[0]
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [((15 - j) - 8) * 0.5 for j in range(16)]


def test_header_matches_e5_small() -> None:
    header, tensors = read_q4_file(weights_file())
    assert (header.hidden, header.layers, header.heads, header.intermediate) == (384, 12, 12, 1536)
    assert header.vocab == 250037 and header.max_positions == 512
    assert tensors["emb.word"].shape == (250037, 384)
    assert tensors["l11.fo.w"].shape == (384, 1536)
    assert len(tensors) == 197


def test_build_is_idempotent(tmp_path: Path, encoder: Encoder) -> None:
    built = Path(encoder.name)
    before = (built / "model.safetensors").stat().st_mtime_ns
    assert build_model(built) == built
    assert (built / "model.safetensors").stat().st_mtime_ns == before


def test_reference_tokens_and_vector(encoder: Encoder) -> None:
    ids = encoder.model.tokenizer("query: 如何申请营业执照？")["input_ids"]
    assert ids == [0, 41, 1294, 12, 6, 5733, 20645, 128180, 61482, 8988, 32, 2]
    built = Encoder(encoder.settings.model_copy(update={"query_engine": "torch"}))
    vector = built.embed_queries(["如何申请营业执照？"])[0]
    expected = [0.07292, -0.05632, -0.05862, -0.09407, 0.06153]
    assert np.allclose(vector[:5], expected, atol=2e-4)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def test_paraphrase_closer_than_unrelated(encoder: Encoder) -> None:
    query = encoder.embed_queries(["生产许可证到期前多久要申请换证？"])[0]
    passages = encoder.embed_passages([
        "许可证有效期届满后继续生产的，企业应当在期满前6个月提出换证申请。",
        "新员工上岗前须接受不少于16小时的岗前培训。",
        "今天北京天气晴朗，适合户外运动。",
    ])  # fmt: skip
    sims = passages @ query
    assert sims[0] > sims[1] > sims[2] - 0.02
    assert sims[0] - max(sims[1], sims[2]) > 0.03


def test_adapters_prefix_and_shape(encoder: Encoder) -> None:
    lc = E5LangChainEmbeddings(encoder)
    doc_vec = np.asarray(lc.embed_documents(["出厂检验记录保存5年"])[0])
    assert np.allclose(doc_vec, encoder.embed_passages(["出厂检验记录保存5年"])[0], atol=1e-5)
    query_vec = np.asarray(lc.embed_query("记录保存多久"))
    assert not np.allclose(query_vec, encoder.embed_passages(["记录保存多久"])[0], atol=1e-3)
    chroma_fn = E5ChromaEmbeddingFunction(encoder)
    out = chroma_fn(["内部审核每12个月至少一次"])
    assert len(out) == 1 and len(out[0]) == 384
    assert chroma_fn.name() == "certguide-e5"


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.embedding.encoder import EmbeddingModelError
    from assistant.settings import get_settings

    settings = get_settings().model_copy(update={"models_dir": tmp_path})
    with pytest.raises(EmbeddingModelError, match="make setup"):
        _ = Encoder(settings).model
