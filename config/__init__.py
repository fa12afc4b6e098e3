"""Configuration classes, selected by the ``IW_CONFIG`` environment variable."""

from config.settings import (
    BaseConfig,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    load_config,
)

__all__ = [
    "BaseConfig",
    "ConfigError",
    "DevelopmentConfig",
    "ProductionConfig",
    "TestingConfig",
    "load_config",
]
