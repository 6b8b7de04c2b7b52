import pytest

from transforms.slugs import catalogue_names, display_name, slug_display_name, split_permaslug


@pytest.mark.parametrize(
    "slug, parts",
    [
        ("qwen/qwen3.6-plus-04-02:free", ("qwen", "qwen3.6-plus-04-02", "free")),
        ("xiaomi/mimo-v2-pro-20260318", ("xiaomi", "mimo-v2-pro-20260318", None)),
        ("openrouter/hunter-alpha", ("openrouter", "hunter-alpha", None)),
        ("meta-llama/llama-4:nitro:x", ("meta-llama", "llama-4", "nitro:x")),
    ],
)
def test_split(slug, parts):
    assert split_permaslug(slug) == parts


@pytest.mark.parametrize("slug", ["other", "qwen/", "/x", "qwen/x:", "qwen/:free"])
def test_split_rejects(slug):
    with pytest.raises(ValueError):
        split_permaslug(slug)


def test_names_from_slug_alone():
    assert slug_display_name("qwen/qwen3.6-plus-04-02:free") == "Qwen3.6 Plus (free)"
    assert slug_display_name("stepfun/step-3.5-flash:free") == "Step 3.5 Flash (free)"
    assert slug_display_name("deepseek/deepseek-v3.2-20251201") == "Deepseek V3.2"
    assert slug_display_name("openrouter/hunter-alpha") == "Hunter Alpha"


def test_names_from_catalogue():
    names = catalogue_names([
        ("xiaomi/mimo-v2-pro", "xiaomi/mimo-v2-pro-20260318", "Xiaomi: MiMo-V2-Pro"),
        ("qwen/qwen3.6-plus:free", "qwen/qwen3.6-plus-04-02", "Qwen: Qwen3.6 Plus (free)"),
        ("anthropic/claude-sonnet-4.6", "anthropic/claude-4.6-sonnet-20260217", "Anthropic: Claude Sonnet 4.6"),
        ("nameless/x", None, None),
    ])
    assert display_name("xiaomi/mimo-v2-pro-20260318", names) == "MiMo-V2-Pro"
    assert display_name("qwen/qwen3.6-plus-04-02:free", names) == "Qwen3.6 Plus (free)"
    assert display_name("qwen/qwen3.6-plus-04-02", names) == "Qwen3.6 Plus"
    assert display_name("anthropic/claude-4.6-sonnet-20260217", names) == "Claude Sonnet 4.6"
    assert display_name("z-ai/glm-5-20260211", names) == "Glm 5"  # not in the catalogue: from the slug
