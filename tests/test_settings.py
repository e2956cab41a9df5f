from paperscope.config import Settings


def test_every_setting_is_documented():
    undocumented = [
        name
        for name, field in Settings.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert undocumented == []


def test_settings_come_from_paperscope_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERSCOPE_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.store_url == f"sqlite:///{(tmp_path / 'paperscope.db').resolve()}"
    monkeypatch.setenv("PAPERSCOPE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/x")
    assert Settings().store_url == "postgresql+psycopg://postgres@127.0.0.1/x"
