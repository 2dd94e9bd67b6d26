"""Only what setup.cfg cannot say: corpora/ and models/ stay at the top of the repository and
are shipped inside the package as mtqa._corpora and mtqa._models (read through
importlib.resources, see mtqa/resources.py). Everything else is declared in setup.cfg."""

from setuptools import find_packages, setup

DATA_PACKAGES = {"mtqa._corpora": "corpora", "mtqa._models": "models"}

setup(
    packages=find_packages(include=["mtqa", "mtqa.*"]) + list(DATA_PACKAGES),
    package_dir=DATA_PACKAGES,
    # setup() replaces setup.cfg's package_data as a whole, so every package's data is named here
    package_data={**{name: ["**/*"] for name in DATA_PACKAGES}, "mtqa.review": ["static/*"]},
    exclude_package_data={name: ["__pycache__/*", "**/__pycache__/*"] for name in DATA_PACKAGES},
)
