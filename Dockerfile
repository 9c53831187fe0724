# Production image of Prompt Playground: daphne serves HTTP and websockets,
# whitenoise serves the collected static files, settings come from the environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Serve hashed, pre-compressed files from STATIC_ROOT (see settings.py).
    DJANGO_STATIC_COLLECTED=true \
    # SQLite and a generated secret key land here when DATABASE_URL / DJANGO_SECRET_KEY
    # are not given; mount a volume on it, or set both (required for several workers).
    DJANGO_DATA_DIR=/data

WORKDIR /app

# Dependencies first, the locked runtime set checked against its hashes (`make lock`
# writes it), so that a code change keeps this layer.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY manage.py ./
COPY playground ./playground
COPY templates ./templates
COPY static ./static

# collectstatic imports settings; a throwaway key keeps a real one out of the image.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_DATA_DIR=/tmp/build \
    PLAYGROUND_ENCRYPTION_KEY=$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build

# Run as an unprivileged user that owns only its data directory.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin playground \
    && mkdir -p /data && chown playground /data && chmod 700 /data
USER playground
VOLUME ["/data"]

EXPOSE 8000
# Apply migrations first with: docker run --rm <image> python manage.py migrate
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers", "playground.asgi:application"]
