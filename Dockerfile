# synthia-bot: built with Maven, run on a JRE 21 through the same launcher as scripts/run-bot
# (bot/target/synthia-bot: the same jar, lib/ and JVM flags; JAVA_OPTS overrides the flags, as there).
#   docker build -t synthia-bot .
#   docker run -e DISCORD_TOKEN=... -v synthia-data:/data synthia-bot      (or: docker compose up -d, see compose.yaml)
#   docker run --rm -v synthia-data:/data synthia-bot prepare-model       (only download, convert and quantize)
# /data holds the settings file (optional), the model cache (~34 GB, all kept: 14.5 GB fp16 download + 14.5 GB
# converted safetensors + 4.5 GB Q4) and the database. Memory: 12 GB (the launcher's 8 GiB heap holds the Q4 weights,
# ~4.1 GB, and model.kv_cache_mb, 2048 MiB; then the JVM's own and native memory); see README.md, What it needs.
# `docker stop` sends SIGTERM and waits 10 s: the bot gives a running answer limits.shutdown_grace_seconds (8 s)
# to finish, tells waiting users it is restarting, then exits 0. Raise both for longer grace periods.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -ntp -pl bot -am package -DskipTests

FROM eclipse-temurin:21-jre
RUN useradd --system --home /data synthia && mkdir -p /data && chown synthia /data
COPY --from=build /src/bot/target/synthia-bot /app/synthia-bot
COPY --from=build /src/bot/target/synthia-bot.jar /app/synthia-bot.jar
COPY --from=build /src/bot/target/lib /app/lib
COPY config/synthia-bot.example.yaml /app/synthia-bot.example.yaml
USER synthia
WORKDIR /data
VOLUME /data
ENV SYNTHIA_MODEL__CACHE_DIR=/data/models \
    SYNTHIA_STORAGE__DATABASE_PATH=/data/synthia-bot.db \
    SYNTHIA_METRICS__PORT=9100 \
    SYNTHIA_METRICS__BIND=0.0.0.0
EXPOSE 9100
# Healthy once the model is loaded and Discord connected (GET /health answers 200); a first start downloads and
# quantizes for a long while, hence the start period. bash's /dev/tcp: the JRE image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60m --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9100 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "/app/synthia-bot"]
