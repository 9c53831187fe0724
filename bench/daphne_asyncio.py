"""EXPERIMENT: daphne with bench/asyncio_backend.py installed; same arguments as daphne.

``python -m bench.daphne_asyncio -b 127.0.0.1 -p PORT playground.asgi:application``
"""

from daphne.cli import CommandLineInterface

from bench.asyncio_backend import install

if __name__ == "__main__":
    install()
    CommandLineInterface.entrypoint()
