"""A synthetic, deterministic stand-in for OpenRouter's rankings-daily and /models responses.

SYNTHETIC DEMO DATA: the numbers are invented, not OpenRouter's. They cover the 26 UTC weeks
Monday 2025-10-06 .. Sunday 2026-04-05 and are calibrated so the figures in
docs/seed-figures.md come out *exactly* for the week 2026-03-30 (27T total, +18.9%; China 12.96T,
+31.48%; US 3.03T, +0.76%; the top six and the #1 history; China ahead for the 5th week).

How the days are built (integer arithmetic once the weekly targets are set, so sums are exact):
1. Each week has a total (`_weekly_totals`): ~10T growing ~3% a week, the last two weeks pinned.
2. Each model has a curve of weekly tokens (billions at a full 7-day week) and is live only
   between its release and retirement days. The top nine of the last two weeks are pinned;
   everything else is scaled so the week's `other` rows come to 6.5-8.5% of its total.
3. A model's weekly tokens are split over its live days by a weekday profile with noise
   (largest-remainder apportionment). What the named models leave of the week's total is an
   anonymous long tail, spread over the days so each day's `other` share stays near the week's.
4. Each day keeps its top 50 models as rows; everything else goes into that day's `other` row,
   so a model near rank 50 can drop out for a day and come back.

Randomness comes only from `random.Random` instances seeded with fixed strings.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

DEMO_FIRST_DAY = dt.date(2025, 10, 6)
"""Monday: the first day of the demo dataset."""
DEMO_LAST_DAY = dt.date(2026, 4, 5)
"""Sunday: the last complete day of the demo dataset."""
DEMO_AS_OF = "2026-04-06T02:00:00Z"

_WEEKS = 26
_TOP_N = 50
_SEED = "tokenrank-demo-v1"
_OTHER = "other"

# The two calibrated weeks (2026-03-23 and 2026-03-30): week totals and the top nine, in tokens.
_PINNED_TOTALS = {24: 22_708_158_116_064, 25: 27_000_000_000_000}
_PINNED_TOP9: dict[int, dict[str, int]] = {
    24: {
        "xiaomi/mimo-v2-pro-20260318": 3_210_000_000_000,
        "qwen/qwen3.6-plus-preview:free": 1_940_000_000_000,
        "stepfun/step-3.5-flash:free": 1_450_000_000_000,
        "minimax/minimax-m2.7-20260318": 1_160_000_000_000,
        "deepseek/deepseek-v3.2-20251201": 1_080_000_000_000,
        "minimax/minimax-m2.5-20260211": 1_017_012_473_380,  # China total 9_857_012_473_380
        "anthropic/claude-4.6-sonnet-20260217": 1_050_000_000_000,
        "google/gemini-3-flash-preview-20251217": 1_000_000_000_000,
        "anthropic/claude-4.6-opus-20260205": 957_145_692_735,  # US total 3_007_145_692_735
    },
    25: {
        "qwen/qwen3.6-plus-04-02:free": 4_600_000_000_000,
        "xiaomi/mimo-v2-pro-20260318": 3_080_000_000_000,
        "qwen/qwen3.6-plus-preview:free": 1_640_000_000_000,
        "stepfun/step-3.5-flash:free": 1_320_000_000_000,
        "minimax/minimax-m2.7-20260318": 1_220_000_000_000,
        "deepseek/deepseek-v3.2-20251201": 1_100_000_000_000,  # China total 12_960_000_000_000
        "anthropic/claude-4.6-sonnet-20260217": 1_060_000_000_000,
        "google/gemini-3-flash-preview-20251217": 1_020_000_000_000,
        "anthropic/claude-4.6-opus-20260205": 950_000_000_000,  # US total 3_030_000_000_000
    },
}

# Weekday weights (Mon..Sun) for splitting a model's week into days.
_WEEKDAY_WEIGHT = (1.00, 1.03, 1.04, 1.02, 0.98, 0.88, 0.86)


@dataclass(frozen=True)
class _Model:
    """One ranked entry and its catalogue record.

    `id` is the catalogue id (undated, with any `:variant`); `canonical` the dated canonical slug;
    the rankings permaslug is `canonical` plus the variant. `curve` maps week index (0 = the week
    of DEMO_FIRST_DAY) to weekly tokens in billions at a full week, interpolated linearly between
    points. Prices are USD per million tokens. Unlisted models are ranked but absent from /models.
    """

    id: str
    canonical: str
    name: str
    released: dt.date
    curve: dict[int, float]
    retired: dt.date | None = None
    context_length: int = 131_072
    price: tuple[float, float] = (0.0, 0.0)
    listed: bool = True

    @property
    def permaslug(self) -> str:
        variant = self.id.partition(":")[2]
        return f"{self.canonical}:{variant}" if variant else self.canonical

    def live(self, day: dt.date) -> bool:
        return self.released <= day and (self.retired is None or day <= self.retired)

    def rate(self, week: int) -> float:
        points = sorted(self.curve.items())
        if week <= points[0][0]:
            return points[0][1]
        for (w0, v0), (w1, v1) in zip(points, points[1:]):
            if week <= w1:
                return v0 + (v1 - v0) * (week - w0) / (w1 - w0)
        return points[-1][1]


_D = dt.date
_MODELS: tuple[_Model, ...] = (
    # --- United States ---
    _Model("x-ai/grok-code-fast-1", "x-ai/grok-code-fast-1", "xAI: Grok Code Fast 1", _D(2025, 8, 26),
           {0: 1900, 4: 1750, 8: 900, 14: 520, 25: 300}, context_length=256_000, price=(0.2, 1.5)),
    _Model("x-ai/grok-4-fast", "x-ai/grok-4-fast", "xAI: Grok 4 Fast", _D(2025, 9, 19),
           {0: 650, 6: 560, 9: 180, 20: 60}, retired=_D(2026, 2, 28), context_length=2_000_000, price=(0.2, 0.5)),
    _Model("x-ai/grok-4.1-fast", "x-ai/grok-4.1-fast-20251119", "xAI: Grok 4.1 Fast", _D(2025, 11, 19),
           {6: 700, 10: 880, 16: 600, 25: 380}, context_length=2_000_000, price=(0.2, 0.5)),
    _Model("anthropic/claude-sonnet-4.5", "anthropic/claude-4.5-sonnet-20250929", "Anthropic: Claude Sonnet 4.5",
           _D(2025, 9, 29), {0: 1450, 6: 1850, 12: 2000, 14: 1500, 19: 700, 25: 360},
           context_length=1_000_000, price=(3, 15)),
    _Model("anthropic/claude-opus-4.5", "anthropic/claude-4.5-opus-20251124", "Anthropic: Claude Opus 4.5",
           _D(2025, 11, 24), {7: 420, 12: 720, 18: 800, 20: 380, 25: 160}, context_length=200_000, price=(5, 25)),
    _Model("anthropic/claude-haiku-4.5", "anthropic/claude-4.5-haiku-20251001", "Anthropic: Claude Haiku 4.5",
           _D(2025, 10, 1), {0: 300, 10: 360, 25: 260}, context_length=200_000, price=(1, 5)),
    _Model("anthropic/claude-opus-4.6", "anthropic/claude-4.6-opus-20260205", "Anthropic: Claude Opus 4.6",
           _D(2026, 2, 5), {17: 600, 20: 1050, 23: 980, 25: 950}, context_length=1_000_000, price=(5, 25)),
    _Model("anthropic/claude-sonnet-4.6", "anthropic/claude-4.6-sonnet-20260217", "Anthropic: Claude Sonnet 4.6",
           _D(2026, 2, 17), {19: 1250, 20: 1500, 23: 1100, 25: 1060}, context_length=1_000_000, price=(3, 15)),
    _Model("google/gemini-2.5-flash", "google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", _D(2025, 6, 17),
           {0: 900, 25: 520}, context_length=1_048_576, price=(0.3, 2.5)),
    _Model("google/gemini-2.5-flash-lite", "google/gemini-2.5-flash-lite", "Google: Gemini 2.5 Flash Lite",
           _D(2025, 7, 22), {0: 420, 25: 360}, context_length=1_048_576, price=(0.1, 0.4)),
    _Model("google/gemini-2.5-pro", "google/gemini-2.5-pro", "Google: Gemini 2.5 Pro", _D(2025, 6, 17),
           {0: 520, 10: 300, 25: 150}, context_length=1_048_576, price=(1.25, 10)),
    _Model("google/gemini-3-pro-preview", "google/gemini-3-pro-preview-20251117", "Google: Gemini 3 Pro Preview",
           _D(2025, 11, 18), {6: 520, 10: 620, 19: 300, 25: 140}, context_length=1_048_576, price=(2, 12)),
    _Model("google/gemini-3.1-pro-preview", "google/gemini-3.1-pro-preview-20260219",
           "Google: Gemini 3.1 Pro Preview", _D(2026, 2, 19), {19: 420, 25: 430},
           context_length=1_048_576, price=(2, 12)),
    _Model("google/gemini-3-flash-preview", "google/gemini-3-flash-preview-20251217",
           "Google: Gemini 3 Flash Preview", _D(2025, 12, 17),
           {10: 900, 12: 1800, 14: 2350, 18: 2250, 20: 1600, 23: 1100, 25: 1020},
           context_length=1_048_576, price=(0.5, 3)),
    _Model("google/gemma-3-27b-it", "google/gemma-3-27b-it", "Google: Gemma 3 27B", _D(2025, 3, 12),
           {0: 150, 25: 120}, price=(0.09, 0.17)),
    _Model("openai/gpt-4o-mini", "openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", _D(2024, 7, 18),
           {0: 360, 25: 250}, context_length=128_000, price=(0.15, 0.6)),
    _Model("openai/gpt-oss-120b", "openai/gpt-oss-120b", "OpenAI: gpt-oss-120b", _D(2025, 8, 5),
           {0: 300, 25: 330}, price=(0.04, 0.2)),
    _Model("openai/gpt-oss-120b:free", "openai/gpt-oss-120b", "OpenAI: gpt-oss-120b (free)", _D(2025, 8, 5),
           {0: 160, 25: 210}),
    _Model("openai/gpt-oss-20b", "openai/gpt-oss-20b", "OpenAI: gpt-oss-20b", _D(2025, 8, 5),
           {0: 150, 25: 130}, price=(0.03, 0.14)),
    _Model("openai/gpt-5-mini", "openai/gpt-5-mini-2025-08-07", "OpenAI: GPT-5 Mini", _D(2025, 8, 7),
           {0: 260, 25: 200}, context_length=400_000, price=(0.25, 2)),
    _Model("openai/gpt-5-nano", "openai/gpt-5-nano-2025-08-07", "OpenAI: GPT-5 Nano", _D(2025, 8, 7),
           {0: 150, 25: 120}, context_length=400_000, price=(0.05, 0.4)),
    _Model("openai/gpt-5.1", "openai/gpt-5.1-20251113", "OpenAI: GPT-5.1", _D(2025, 11, 13),
           {5: 300, 10: 360, 25: 150}, context_length=400_000, price=(1.25, 10)),
    _Model("openai/gpt-5.2", "openai/gpt-5.2-20251211", "OpenAI: GPT-5.2", _D(2025, 12, 11),
           {9: 300, 20: 420, 25: 300}, context_length=400_000, price=(1.75, 14)),
    _Model("openai/gpt-5.4", "openai/gpt-5.4-20260305", "OpenAI: GPT-5.4", _D(2026, 3, 5),
           {21: 300, 25: 380}, context_length=1_050_000, price=(2.5, 15)),
    _Model("meta-llama/llama-3.1-8b-instruct", "meta-llama/llama-3.1-8b-instruct", "Meta: Llama 3.1 8B Instruct",
           _D(2024, 7, 23), {0: 120, 25: 100}, price=(0.02, 0.05)),
    _Model("meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct",
           "Meta: Llama 3.3 70B Instruct", _D(2024, 12, 6), {0: 140, 25: 100}, price=(0.1, 0.32)),
    _Model("nvidia/nemotron-nano-9b-v2", "nvidia/nemotron-nano-9b-v2", "NVIDIA: Nemotron Nano 9B V2",
           _D(2025, 9, 5), {0: 90, 21: 40}, retired=_D(2026, 3, 1), price=(0.04, 0.16)),
    _Model("nvidia/nemotron-3-nano-30b-a3b:free", "nvidia/nemotron-3-nano-30b-a3b-20251215",
           "NVIDIA: Nemotron 3 Nano 30B A3B (free)", _D(2025, 12, 15), {10: 210, 25: 150}, context_length=256_000),
    _Model("poolside/laguna-m.1:free", "poolside/laguna-m.1-20260312", "Poolside: Laguna M.1 (free)",
           _D(2026, 3, 12), {22: 150, 25: 230}),
    # --- China ---
    _Model("qwen/qwen3-coder", "qwen/qwen3-coder", "Qwen: Qwen3 Coder 480B A35B", _D(2025, 7, 23),
           {0: 460, 25: 250}, context_length=262_144, price=(0.22, 0.95)),
    _Model("qwen/qwen3-coder:free", "qwen/qwen3-coder", "Qwen: Qwen3 Coder 480B A35B (free)", _D(2025, 7, 23),
           {0: 350, 12: 250, 25: 150}, context_length=262_144),
    _Model("qwen/qwen3-235b-a22b-2507", "qwen/qwen3-235b-a22b-07-25", "Qwen: Qwen3 235B A22B Instruct 2507",
           _D(2025, 7, 21), {0: 250, 25: 150}, context_length=262_144, price=(0.08, 0.55)),
    _Model("qwen/qwen3-next-80b-a3b-instruct", "qwen/qwen3-next-80b-a3b-instruct",
           "Qwen: Qwen3 Next 80B A3B Instruct", _D(2025, 9, 11), {0: 100, 25: 90},
           context_length=262_144, price=(0.1, 0.8)),
    _Model("qwen/qwen3.6-plus-preview:free", "qwen/qwen3.6-plus-preview", "Qwen: Qwen3.6 Plus Preview (free)",
           _D(2026, 3, 12), {22: 1150, 23: 1650, 25: 1650}, context_length=1_000_000),
    _Model("qwen/qwen3.6-plus:free", "qwen/qwen3.6-plus-04-02", "Qwen: Qwen3.6 Plus (free)", _D(2026, 4, 2),
           {25: 8050}, context_length=1_000_000),
    _Model("xiaomi/mimo-v2-flash", "xiaomi/mimo-v2-flash-20251214", "Xiaomi: MiMo-V2-Flash", _D(2025, 12, 14),
           {9: 300, 12: 850, 16: 650, 25: 380}, context_length=262_144, price=(0.1, 0.3)),
    _Model("xiaomi/mimo-v2-flash:free", "xiaomi/mimo-v2-flash-20251214", "Xiaomi: MiMo-V2-Flash (free)",
           _D(2025, 12, 14), {10: 650, 14: 850, 17: 400, 18: 250}, retired=_D(2026, 2, 15),
           context_length=262_144),
    _Model("xiaomi/mimo-v2-pro", "xiaomi/mimo-v2-pro-20260318", "Xiaomi: MiMo-V2-Pro", _D(2026, 3, 18),
           {23: 3000, 25: 3100}, context_length=1_048_576, price=(1, 3)),
    _Model("stepfun/step-3.5-flash:free", "stepfun/step-3.5-flash", "StepFun: Step 3.5 Flash (free)",
           _D(2026, 2, 2), {17: 300, 19: 750, 20: 950, 21: 1450, 22: 1650, 23: 1500, 25: 1350},
           context_length=256_000),
    _Model("minimax/minimax-m2", "minimax/minimax-m2", "MiniMax: MiniMax M2", _D(2025, 10, 27),
           {3: 500, 6: 800, 10: 600, 14: 300, 25: 100}, context_length=196_608, price=(0.255, 1.02)),
    _Model("minimax/minimax-m2:free", "minimax/minimax-m2", "MiniMax: MiniMax M2 (free)", _D(2025, 10, 27),
           {3: 900, 5: 650}, retired=_D(2025, 11, 16), context_length=196_608, listed=False),
    _Model("minimax/minimax-m2.1", "minimax/minimax-m2.1-20251223", "MiniMax: MiniMax M2.1", _D(2025, 12, 23),
           {11: 420, 14: 700, 18: 500, 20: 300, 25: 150}, context_length=196_608, price=(0.3, 1.2)),
    _Model("minimax/minimax-m2.5", "minimax/minimax-m2.5-20260211", "MiniMax: MiniMax M2.5", _D(2026, 2, 11),
           {18: 700, 19: 1100, 20: 1000, 22: 1050, 23: 950, 25: 520}, context_length=196_608, price=(0.3, 1.2)),
    _Model("minimax/minimax-m2.7", "minimax/minimax-m2.7-20260318", "MiniMax: MiniMax M2.7", _D(2026, 3, 18),
           {23: 1000, 25: 1200}, context_length=196_608, price=(0.3, 1.2)),
    _Model("deepseek/deepseek-v3.1-terminus", "deepseek/deepseek-v3.1-terminus", "DeepSeek: DeepSeek V3.1 Terminus",
           _D(2025, 9, 22), {0: 420, 8: 300, 25: 100}, price=(0.23, 0.9)),
    _Model("deepseek/deepseek-v3.2-exp", "deepseek/deepseek-v3.2-exp", "DeepSeek: DeepSeek V3.2 Exp",
           _D(2025, 9, 29), {0: 350, 8: 200, 12: 80, 14: 40}, retired=_D(2026, 1, 15), price=(0.27, 0.4), listed=False),
    _Model("deepseek/deepseek-v3.2", "deepseek/deepseek-v3.2-20251201", "DeepSeek: DeepSeek V3.2", _D(2025, 12, 1),
           {8: 500, 12: 900, 20: 1000, 23: 1050, 25: 1100}, price=(0.26, 0.38)),
    _Model("deepseek/deepseek-chat-v3-0324", "deepseek/deepseek-chat-v3-0324", "DeepSeek: DeepSeek V3 0324",
           _D(2025, 3, 24), {0: 500, 25: 260}, context_length=163_840, price=(0.2, 0.8)),
    _Model("deepseek/deepseek-r1-0528", "deepseek/deepseek-r1-0528", "DeepSeek: R1 0528", _D(2025, 5, 28),
           {0: 200, 25: 100}, context_length=163_840, price=(0.4, 1.75)),
    _Model("moonshotai/kimi-k2-0905", "moonshotai/kimi-k2-0905", "MoonshotAI: Kimi K2 0905", _D(2025, 9, 5),
           {0: 300, 10: 200, 25: 100}, context_length=262_144, price=(0.39, 1.9)),
    _Model("moonshotai/kimi-k2-thinking", "moonshotai/kimi-k2-thinking-20251106", "MoonshotAI: Kimi K2 Thinking",
           _D(2025, 11, 6), {4: 300, 8: 420, 25: 150}, context_length=262_144, price=(0.45, 2.35)),
    _Model("moonshotai/kimi-k2.5", "moonshotai/kimi-k2.5-0127", "MoonshotAI: Kimi K2.5", _D(2026, 1, 27),
           {16: 750, 18: 950, 20: 800, 23: 700, 25: 560}, context_length=262_144, price=(0.5, 2.8)),
    _Model("z-ai/glm-4.6", "z-ai/glm-4.6", "Z.ai: GLM 4.6", _D(2025, 9, 30),
           {0: 600, 10: 500, 14: 300, 25: 120}, context_length=202_752, price=(0.4, 1.75)),
    _Model("z-ai/glm-4.5-air", "z-ai/glm-4.5-air", "Z.ai: GLM 4.5 Air", _D(2025, 7, 25),
           {0: 200, 25: 180}, price=(0.13, 0.85)),
    _Model("z-ai/glm-4.5-air:free", "z-ai/glm-4.5-air", "Z.ai: GLM 4.5 Air (free)", _D(2025, 7, 25),
           {0: 250, 25: 150}),
    _Model("z-ai/glm-4.7", "z-ai/glm-4.7-20251222", "Z.ai: GLM 4.7", _D(2025, 12, 22),
           {11: 500, 14: 700, 18: 500, 25: 200}, context_length=202_752, price=(0.4, 1.5)),
    _Model("z-ai/glm-5", "z-ai/glm-5-20260211", "Z.ai: GLM 5", _D(2026, 2, 11),
           {18: 600, 20: 800, 23: 720, 25: 640}, context_length=202_752, price=(1, 3.2)),
    _Model("tencent/hunyuan-a13b-instruct", "tencent/hunyuan-a13b-instruct", "Tencent: Hunyuan A13B Instruct",
           _D(2025, 6, 30), {0: 45, 25: 40}, price=(0.14, 0.57)),
    _Model("bytedance-seed/seed-oss-36b-instruct", "bytedance-seed/seed-oss-36b-instruct",
           "ByteDance Seed: Seed OSS 36B Instruct", _D(2025, 8, 20), {0: 70, 25: 55}, price=(0.16, 0.65)),
    _Model("bytedance-seed/seed-1.6", "bytedance-seed/seed-1.6", "ByteDance Seed: Seed 1.6", _D(2025, 6, 25),
           {0: 95, 25: 80}, price=(0.25, 2)),
    _Model("inclusionai/ling-1t", "inclusionai/ling-1t-20251009", "inclusionAI: Ling-1T", _D(2025, 10, 9),
           {1: 100, 25: 60}, price=(0.57, 2.28)),
    # --- France ---
    _Model("mistralai/mistral-nemo", "mistralai/mistral-nemo", "Mistral: Mistral Nemo", _D(2024, 7, 19),
           {0: 200, 25: 180}, price=(0.02, 0.04)),
    _Model("mistralai/mistral-small-3.2-24b-instruct", "mistralai/mistral-small-3.2-24b-instruct",
           "Mistral: Mistral Small 3.2 24B", _D(2025, 6, 20), {0: 120, 25: 110}, price=(0.06, 0.18)),
    _Model("mistralai/mistral-medium-3.1", "mistralai/mistral-medium-3.1", "Mistral: Mistral Medium 3.1",
           _D(2025, 8, 13), {0: 70, 22: 40}, retired=_D(2026, 3, 15), price=(0.4, 2)),
    _Model("mistralai/devstral-2512:free", "mistralai/devstral-2512", "Mistral: Devstral 2 2512 (free)",
           _D(2025, 12, 9), {9: 300, 14: 250, 25: 120}, context_length=262_144),
    # --- The long tail: older and smaller models that hover around rank 50 ---
    _Model("anthropic/claude-3.7-sonnet", "anthropic/claude-3-7-sonnet-20250219", "Anthropic: Claude 3.7 Sonnet",
           _D(2025, 2, 24), {0: 130, 19: 50}, retired=_D(2026, 2, 19), context_length=200_000, price=(3, 15)),
    _Model("anthropic/claude-sonnet-4", "anthropic/claude-4-sonnet-20250522", "Anthropic: Claude Sonnet 4",
           _D(2025, 5, 22), {0: 260, 10: 150, 25: 90}, context_length=1_000_000, price=(3, 15)),
    _Model("anthropic/claude-opus-4.1", "anthropic/claude-4.1-opus-20250805", "Anthropic: Claude Opus 4.1",
           _D(2025, 8, 5), {0: 110, 22: 40}, retired=_D(2026, 3, 10), context_length=200_000, price=(15, 75)),
    _Model("anthropic/claude-3.5-haiku", "anthropic/claude-3-5-haiku-20241022", "Anthropic: Claude 3.5 Haiku",
           _D(2024, 11, 4), {0: 55, 16: 30}, retired=_D(2026, 1, 31), context_length=200_000, price=(0.8, 4)),
    _Model("google/gemini-2.0-flash-001", "google/gemini-2.0-flash-001", "Google: Gemini 2.0 Flash",
           _D(2025, 2, 5), {0: 160, 20: 60}, retired=_D(2026, 2, 28), context_length=1_048_576, price=(0.1, 0.4)),
    _Model("google/gemma-3-12b-it", "google/gemma-3-12b-it", "Google: Gemma 3 12B", _D(2025, 3, 13),
           {0: 45, 12: 25}, retired=_D(2025, 12, 31), price=(0.03, 0.1)),
    _Model("openai/gpt-4.1-mini", "openai/gpt-4.1-mini-2025-04-14", "OpenAI: GPT-4.1 Mini", _D(2025, 4, 14),
           {0: 150, 25: 110}, context_length=1_047_576, price=(0.4, 1.6)),
    _Model("openai/gpt-4.1", "openai/gpt-4.1-2025-04-14", "OpenAI: GPT-4.1", _D(2025, 4, 14),
           {0: 90, 20: 40}, retired=_D(2026, 3, 1), context_length=1_047_576, price=(2, 8)),
    _Model("openai/gpt-5", "openai/gpt-5-2025-08-07", "OpenAI: GPT-5", _D(2025, 8, 7),
           {0: 230, 6: 180, 25: 80}, context_length=400_000, price=(1.25, 10)),
    _Model("openai/gpt-4o", "openai/gpt-4o", "OpenAI: GPT-4o", _D(2024, 5, 13),
           {0: 60, 18: 30}, retired=_D(2026, 2, 14), context_length=128_000, price=(2.5, 10)),
    _Model("x-ai/grok-4", "x-ai/grok-4-07-09", "xAI: Grok 4", _D(2025, 7, 9),
           {0: 70, 15: 35}, retired=_D(2026, 1, 20), context_length=256_000, price=(3, 15)),
    _Model("x-ai/grok-3-mini", "x-ai/grok-3-mini", "xAI: Grok 3 Mini", _D(2025, 4, 9),
           {0: 50, 14: 25}, retired=_D(2026, 1, 15), price=(0.3, 0.5)),
    _Model("meta-llama/llama-4-maverick", "meta-llama/llama-4-maverick-17b-128e-instruct",
           "Meta: Llama 4 Maverick", _D(2025, 4, 5), {0: 55, 10: 30}, retired=_D(2025, 12, 20),
           context_length=1_048_576, price=(0.15, 0.6)),
    _Model("meta-llama/llama-3.2-3b-instruct", "meta-llama/llama-3.2-3b-instruct", "Meta: Llama 3.2 3B Instruct",
           _D(2024, 9, 25), {0: 40, 18: 25}, retired=_D(2026, 2, 10), price=(0.02, 0.02)),
    _Model("nvidia/nemotron-nano-9b-v2:free", "nvidia/nemotron-nano-9b-v2", "NVIDIA: Nemotron Nano 9B V2 (free)",
           _D(2025, 9, 5), {0: 55, 13: 30}, retired=_D(2026, 1, 10)),
    _Model("qwen/qwen3-30b-a3b", "qwen/qwen3-30b-a3b-04-28", "Qwen: Qwen3 30B A3B", _D(2025, 4, 28),
           {0: 75, 25: 55}, price=(0.06, 0.22)),
    _Model("qwen/qwen3-32b", "qwen/qwen3-32b-04-28", "Qwen: Qwen3 32B", _D(2025, 4, 28),
           {0: 55, 19: 30}, retired=_D(2026, 2, 20), price=(0.05, 0.2)),
    _Model("qwen/qwen-2.5-72b-instruct", "qwen/qwen-2.5-72b-instruct", "Qwen2.5 72B Instruct", _D(2024, 9, 19),
           {0: 45, 17: 25}, retired=_D(2026, 2, 1), context_length=32_768, price=(0.07, 0.26)),
    _Model("qwen/qwen3-vl-235b-a22b-instruct", "qwen/qwen3-vl-235b-a22b-instruct",
           "Qwen: Qwen3 VL 235B A22B Instruct", _D(2025, 9, 23), {0: 80, 25: 85}, price=(0.2, 0.88)),
    _Model("deepseek/deepseek-chat-v3.1", "deepseek/deepseek-chat-v3.1", "DeepSeek: DeepSeek V3.1",
           _D(2025, 8, 21), {0: 240, 25: 110}, context_length=163_840, price=(0.2, 0.8)),
    _Model("deepseek/deepseek-r1-0528:free", "deepseek/deepseek-r1-0528", "DeepSeek: R1 0528 (free)",
           _D(2025, 5, 28), {0: 110, 17: 50}, retired=_D(2026, 2, 5), context_length=163_840),
    _Model("z-ai/glm-4.5", "z-ai/glm-4.5", "Z.ai: GLM 4.5", _D(2025, 7, 25),
           {0: 100, 19: 45}, retired=_D(2026, 2, 20), price=(0.35, 1.55)),
    _Model("tencent/hunyuan-a13b-instruct:free", "tencent/hunyuan-a13b-instruct",
           "Tencent: Hunyuan A13B Instruct (free)", _D(2025, 6, 30), {0: 40, 10: 25}, retired=_D(2025, 12, 15)),
    _Model("bytedance-seed/ui-tars-1.5-7b", "bytedance-seed/ui-tars-1.5-7b", "ByteDance: UI-TARS 7B",
           _D(2025, 7, 22), {0: 35, 9: 25}, retired=_D(2025, 12, 10), price=(0.1, 0.2)),
    _Model("inclusionai/ring-1t", "inclusionai/ring-1t-20251014", "inclusionAI: Ring 1T", _D(2025, 10, 14),
           {1: 60, 16: 30}, retired=_D(2026, 1, 25), price=(0.57, 2.28)),
    _Model("mistralai/mistral-small-3.1-24b-instruct", "mistralai/mistral-small-3.1-24b-instruct-2503",
           "Mistral: Mistral Small 3.1 24B", _D(2025, 3, 17), {0: 45, 13: 25}, retired=_D(2026, 1, 5),
           price=(0.05, 0.1)),
    _Model("mistralai/codestral-2508", "mistralai/codestral-2508", "Mistral: Codestral 2508", _D(2025, 8, 1),
           {0: 70, 20: 40}, retired=_D(2026, 3, 1), context_length=256_000, price=(0.3, 0.9)),
    _Model("mistralai/ministral-8b", "mistralai/ministral-8b", "Mistral: Ministral 8B", _D(2024, 10, 17),
           {0: 35, 13: 25}, retired=_D(2026, 1, 10), price=(0.1, 0.1)),
    # --- Stealth models (no country until their maker is revealed) ---
    _Model("openrouter/sherlock-dash-alpha", "openrouter/sherlock-dash-alpha", "Sherlock Dash Alpha",
           _D(2025, 11, 15), {5: 380}, retired=_D(2025, 12, 5), context_length=1_840_000),
    # Revealed on 2026-03-18 as Xiaomi MiMo-V2-Pro; gone from the rankings from then on.
    _Model("openrouter/hunter-alpha", "openrouter/hunter-alpha", "Hunter Alpha", _D(2026, 3, 4),
           {21: 420, 23: 560}, retired=_D(2026, 3, 17), context_length=1_048_576, listed=False),
)


def _week_start(week: int) -> dt.date:
    return DEMO_FIRST_DAY + dt.timedelta(weeks=week)


def _apportion(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` into integers proportional to `weights`, summing to exactly `amount`."""
    total = sum(weights)
    shares = [amount * w // total for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in by_remainder[: amount - sum(shares)]:
        shares[i] += 1
    return shares


@lru_cache(maxsize=1)
def _weekly_totals() -> tuple[int, ...]:
    """Every row of the week summed, `other` included; ~10T growing 1.8-4.6% a week, then the pinned weeks."""
    rng = random.Random(f"{_SEED}:totals")
    totals, value = [], 10_000_000_000_000
    for week in range(_WEEKS):
        if week in _PINNED_TOTALS:
            totals.append(_PINNED_TOTALS[week])
            continue
        totals.append(value)
        value = round(value * (1.032 + rng.uniform(-0.014, 0.014)))
    return tuple(totals)


def _live_days(model: _Model, week: int) -> list[dt.date]:
    start = _week_start(week)
    return [d for d in (start + dt.timedelta(days=i) for i in range(7)) if model.live(d)]


def _day_weights(model: _Model, days: list[dt.date]) -> list[int]:
    return [_day_weight(model.permaslug, day) for day in days]


@lru_cache(maxsize=None)  # each week is split twice (`_weekly_tokens` ranks a first split)
def _day_weight(permaslug: str, day: dt.date) -> int:
    jitter = random.Random(f"{_SEED}:{permaslug}:{day.isoformat()}").uniform(-0.07, 0.07)
    return round(_WEEKDAY_WEIGHT[day.weekday()] * (1 + jitter) * 1_000_000)


def _split_week(weekly: dict[str, int], week: int) -> dict[dt.date, dict[str, int]]:
    """Each model's weekly tokens spread over its live days: {day: {permaslug: tokens}}, sums exact."""
    per_day: dict[dt.date, dict[str, int]] = {_week_start(week) + dt.timedelta(days=i): {} for i in range(7)}
    for model in _MODELS:
        live = _live_days(model, week)
        if model.permaslug in weekly:
            for day, tokens in zip(live, _apportion(weekly[model.permaslug], _day_weights(model, live))):
                per_day[day][model.permaslug] = tokens
    return per_day


def _ranked(day: dict[str, int]) -> list[tuple[str, int]]:
    """The API's order: tokens descending, ties alphabetical by permaslug."""
    return sorted(day.items(), key=lambda item: (-item[1], item[0]))


def _other_share(week: int) -> float:
    """The week's target share of `other` (anonymous tail plus models outside a day's top 50)."""
    return random.Random(f"{_SEED}:week:{week}").uniform(0.065, 0.085)


def _weekly_tokens(week: int) -> dict[str, int]:
    """Tokens per permaslug for one week: the curves with noise, or the pinned values.

    Curve values are scaled so that the week's `other` rows come to `_other_share` of the week's total.
    """
    other_share = _other_share(week)
    pinned = _PINNED_TOP9.get(week, {})
    raw: dict[str, int] = {}
    for model in _MODELS:
        days = len(_live_days(model, week))
        if days and model.permaslug not in pinned:
            noise = 1 + random.Random(f"{_SEED}:{model.permaslug}:{week}").uniform(-0.04, 0.04)
            raw[model.permaslug] = round(model.rate(week) * 1e9 * days / 7 * noise)
    # A day's ranking does not depend on the scale, so the unranked part of `raw` is known before scaling.
    unranked = sum(
        tokens
        for day in _split_week({**raw, **pinned}, week).values()
        for _, tokens in _ranked(day)[_TOP_N:]
    )
    ranked_target = _weekly_totals()[week] * (1 - other_share) - sum(pinned.values())
    scale = ranked_target / (sum(raw.values()) - unranked)
    return {**pinned, **{slug: round(tokens * scale) for slug, tokens in raw.items()}}


def _week_rows(week: int) -> list[dict]:
    """The week's 7 x 51 rows in API form and order."""
    weekly = _weekly_tokens(week)
    per_day = _split_week(weekly, week)
    ranked = {day: _ranked(models) for day, models in per_day.items()}
    unranked = {day: sum(tokens for _, tokens in models[_TOP_N:]) for day, models in ranked.items()}
    # Spread the anonymous tail so each day's `other` row is near the week's share, give or take 0.5 points.
    tail_weights = []
    for day, models in per_day.items():
        share = _other_share(week) + random.Random(f"{_SEED}:other:{day.isoformat()}").uniform(-0.005, 0.005)
        tail_weights.append(max(1, round((share * sum(models.values()) - unranked[day]) / (1 - share))))
    tail = _weekly_totals()[week] - sum(weekly.values())
    if tail < 0:
        raise ValueError(f"demo curves leave a negative long tail in week {_week_start(week)}; lower the small models")
    rows = []
    for (day, models), day_tail in zip(ranked.items(), _apportion(tail, tail_weights)):
        other = day_tail + unranked[day]
        stamp = day.isoformat()
        rows.extend(
            {"date": stamp, "model_permaslug": slug, "total_tokens": str(tokens)} for slug, tokens in models[:_TOP_N]
        )
        rows.append({"date": stamp, "model_permaslug": _OTHER, "total_tokens": str(other)})
    return rows


@lru_cache(maxsize=1)
def daily_rows() -> tuple[dict, ...]:
    """Every rankings-daily row of the dataset, in API form and order (date asc, tokens desc, `other` last).

    51 rows a day: the top 50 permaslugs plus `other`. `total_tokens` is a decimal string.
    The dicts are shared by every caller: treat them as read-only.
    """
    return tuple(row for week in range(_WEEKS) for row in _week_rows(week))


def rankings_payload(start: dt.date, end: dt.date) -> dict:
    """The rankings-daily body for [start, end], clamped to the dataset's days.

    `meta.start_date`/`end_date` echo the clamped range; when nothing of the dataset falls inside
    the window they echo the request and `data` is empty.
    """
    first, last = max(start, DEMO_FIRST_DAY), min(end, DEMO_LAST_DAY)
    if first > last:
        first, last = start, end
        data = []
    else:
        lo, hi = first.isoformat(), last.isoformat()
        data = [dict(row) for row in daily_rows() if lo <= row["date"] <= hi]
    return {
        "data": data,
        "meta": {"as_of": DEMO_AS_OF, "start_date": first.isoformat(), "end_date": last.isoformat(), "version": "v1"},
    }


def _usd_per_token(usd_per_million: float) -> str:
    return format(Decimal(str(usd_per_million)) / 1_000_000, "f") if usd_per_million else "0"


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict, ...]:
    entries = []
    for model in _MODELS:
        if not model.listed:
            continue
        released = dt.datetime.combine(model.released, dt.time(), tzinfo=dt.timezone.utc)
        entries.append({
            "id": model.id,
            "canonical_slug": model.canonical,
            "name": model.name,
            "created": int(released.timestamp()),
            "description": f"Synthetic demo data: a made-up catalogue entry for {model.name}, "
                           "not OpenRouter's description.",
            "context_length": model.context_length,
            "pricing": {
                "prompt": _usd_per_token(model.price[0]),
                "completion": _usd_per_token(model.price[1]),
                "request": "0",
                "image": "0",
            },
        })
    return tuple(entries)


def models_payload() -> dict:
    """A GET /models body for the demo models; a few ranked permaslugs are deliberately missing."""
    return {"data": [dict(entry, pricing=dict(entry["pricing"])) for entry in _catalogue()]}
