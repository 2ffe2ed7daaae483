# Everyday verbs. Each delegates to an npm script: package.json stays the single source.

default:
    @just --list

# generate code from the proto (buf + protoc-gen-es)
generate:
    npm run generate

# the full test suite (the README's test command)
test:
    npm test

# run the service on the embedded store
run:
    npm start

# run exactly what the container runs
run-prod:
    npm run start:prod

# build the container image
image:
    npm run image

# the compose stack (SQL Server, three replicas, proxy, tracing)
up:
    npm run up

# stop the compose stack
down:
    npm run down
