# The Marathon worker image. Its entrypoint is the same ./marathon launcher the README uses.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /opt/marathon
COPY pom.xml ./
RUN mvn -q -B dependency:go-offline
COPY workflows workflows
COPY activities activities
COPY src/main src/main
RUN mvn -q -B -DskipTests package

# The real Temporal server, its SQL tool, the Web UI server and the PostgreSQL schema, for the
# production profile's `./marathon server --postgres` (the same script the launcher runs).
FROM golang:1.25 AS temporal
COPY scripts/install-temporal-server /usr/local/bin/install-temporal-server
RUN MARATHON_HOME=/opt/marathon-home install-temporal-server

FROM eclipse-temurin:17-jre
# git for workspaces, util-linux for setsid/flock/prlimit, procps for process groups, bubblewrap for
# the sandbox the agent's commands run in (the compose file lets it create user namespaces), socat
# to bridge a sandboxed command's loopback to Marathon's egress proxy.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git util-linux findutils procps bubblewrap socat \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/marathon
COPY --from=build /opt/marathon/target/marathon.jar target/marathon.jar
COPY --from=build /opt/marathon/target/lib target/lib
COPY marathon ./marathon
COPY scripts scripts
COPY --from=temporal /opt/marathon-home/bin /var/lib/marathon/bin
COPY --from=temporal /opt/marathon-home/temporal-server/schema /var/lib/marathon/temporal-server/schema
# The jar is built above: the launcher must not try to rebuild or install anything here.
ENV MARATHON_HOME=/var/lib/marathon \
    MARATHON_NO_BUILD=1 \
    MARATHON_SKIP_INSTALL=1
VOLUME ["/var/lib/marathon/store", "/var/lib/marathon/workspaces"]
ENTRYPOINT ["/opt/marathon/marathon"]
CMD ["worker", "--address", "temporal:7233"]
