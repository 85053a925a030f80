# synthia-bot: build with Maven, run on a JRE 21 with the Vector API module.
#   docker build -t synthia-bot .
#   docker run -e DISCORD_TOKEN=... -v synthia-data:/data synthia-bot
# /data holds the settings file (optional), the model cache (~14.5 GB download + ~4.5 GB Q4) and the prompt database.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml ./
COPY config/pom.xml config/
COPY langchain-adapter/pom.xml langchain-adapter/
COPY bot/pom.xml bot/
RUN mvn -B -q -ntp -pl bot -am dependency:go-offline || true
COPY . .
RUN mvn -B -q -ntp -pl bot -am package -DskipTests

FROM eclipse-temurin:21-jre
RUN useradd --system --home /data synthia && mkdir -p /data && chown synthia /data
COPY --from=build /src/bot/target/synthia-bot.jar /app/synthia-bot.jar
COPY --from=build /src/bot/target/lib /app/lib
COPY config/synthia-bot.example.yaml /app/synthia-bot.example.yaml
USER synthia
WORKDIR /data
VOLUME /data
ENV SYNTHIA_MODEL__CACHE_DIR=/data/models \
    SYNTHIA_STORAGE__DATABASE_PATH=/data/synthia-bot.db \
    JAVA_OPTS="-Xmx8g -XX:MaxDirectMemorySize=8g -XX:+UseTransparentHugePages"
ENTRYPOINT ["sh", "-c", "exec java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED $JAVA_OPTS -jar /app/synthia-bot.jar \"$@\"", "--"]
