# The portal under gunicorn, as a non-root user, with the data dir as a volume.
# Not built in the development environment (no Docker engine there); checked with hadolint.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENDATA_DATA_DIR=/data \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 opendata \
    && useradd --system --uid 10001 --gid opendata --home-dir /app opendata

WORKDIR /app
COPY setup.cfg pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY datasets ./datasets
COPY metadata ./metadata
COPY publishers ./publishers
COPY harvesters ./harvesters
COPY search_index ./search_index
RUN pip install --no-cache-dir -c constraints.txt . \
    && mkdir -p /data && chown 10001:10001 /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz')"]
COPY --chmod=0755 .ci/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["opendata", "serve", "--bind", "0.0.0.0:5000", "--workers", "2"]
