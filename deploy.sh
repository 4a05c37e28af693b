#!/usr/bin/env bash
# Kyperian on AWS. Usage: ./deploy.sh <env> <verb>      (docs/DEPLOY.md)
#
#   env   dev | staging | production      (stack kyperian-<env>, SSM path /kyperian/<env>)
#   verb  deploy   secrets (missing only) → build → image → stack → print the webhook URL and alert message
#         delete   delete the stack (KYPERIAN_PURGE=1 also deletes the engine's ECR repository and the SecureStrings)
#         status   stack status, outputs, engine tasks, queue depths, alarms firing
#         secrets  create the SecureStrings that are missing: webhook passphrase, operator key, Redis AUTH token
#                  (values from KYPERIAN_PASSPHRASE / KYPERIAN_OPERATOR_KEY, else generated); KYPERIAN_ROTATE=1
#                  replaces the passphrase and the operator key (then run `restart`)
#         build    publish the Lambda bundle to artifacts/lambda (the template's CodeUri)
#         image    build the engine image (Dockerfile.engine, linux/amd64), push it to ECR kyperian-<env>-engine and
#                  record it (by digest) in /kyperian/<env>/deploy/engine-image, the image every later deploy rolls out
#         stack    package and deploy templates/serverless.template only (runs the image recorded last)
#         url      print the webhook URL and the TradingView alert message
#         restart  make the function and the engine reload configuration and secrets from Parameter Store
#
# Environment: AWS_PROFILE / AWS_REGION as usual; ALERT_EMAIL (alarm e-mails); ENGINE_IMAGE_URI (skip the image
# build, record this image and roll it out); KYPERIAN_ARTIFACT_BUCKET (default kyperian-artifacts-<account>-<region>,
# created when missing); KYPERIAN_PARAMETERS (more template parameters, "Key=Value Key2=Value2", e.g.
# "EgressMode=VpcEndpoints"; parameters not given keep the value they had); KYPERIAN_REDACT=1 (url prints no secret:
# for CI logs); KYPERIAN_YES=1 (delete without asking).
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 1; }
say() { printf '\n==> %s\n' "$*"; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit "${1:-2}"
}

case "${1:-}" in -h | --help | help) usage 0 ;; esac
[ $# -ge 2 ] || usage
env_name=$1
verb=$2
case "$env_name" in dev | staging | production) ;; *) die "environment must be dev, staging or production, not '$env_name'" ;; esac

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

stack="kyperian-$env_name"
template=templates/serverless.template
lambda_dir=artifacts/lambda
repository="kyperian-$env_name-engine"
ssm_path="/kyperian/$env_name"
# The engine image to run: written by `image` (or from ENGINE_IMAGE_URI), read by the template's EngineImageParameter.
image_parameter="$ssm_path/deploy/engine-image"
secrets=(webhook/passphrase operator/api-key redis/password)

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }

aws_setup() {
  need aws "AWS CLI v2: https://docs.aws.amazon.com/cli/"
  region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
  [ -n "$region" ] || die "no AWS region: set AWS_REGION (e.g. export AWS_REGION=us-east-1)"
  export AWS_REGION="$region" AWS_DEFAULT_REGION="$region" AWS_PAGER=""
  account=$(aws sts get-caller-identity --query Account --output text) || die "no AWS credentials (aws configure, or AWS_PROFILE)"
  registry="$account.dkr.ecr.$region.amazonaws.com"
}

output() { # the value of one stack output
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text 2>/dev/null
}

random_secret() {
  if command -v openssl >/dev/null 2>&1; then openssl rand -hex 32; else head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; fi
}

parameter_exists() { aws ssm get-parameter --name "$1" --query Parameter.Name --output text >/dev/null 2>&1; }

cmd_secrets() {
  say "SecureStrings under $ssm_path (KMS key alias/aws/ssm)"
  local name full value
  for name in "${secrets[@]}"; do
    full="$ssm_path/$name"
    if parameter_exists "$full"; then
      if [ "${KYPERIAN_ROTATE:-0}" != 1 ] || [ "$name" = redis/password ]; then
        # The Redis token is ElastiCache's AUTH token: changing it needs an ElastiCache auth-token rotation, not this.
        echo "  kept      $full"
        continue
      fi
    fi
    case "$name" in
      webhook/passphrase) value=${KYPERIAN_PASSPHRASE:-$(random_secret)} ;;
      operator/api-key) value=${KYPERIAN_OPERATOR_KEY:-$(random_secret)} ;;
      redis/password) value=$(random_secret) ;; # 64 hex characters: within ElastiCache's 16-128, no / " @
    esac
    aws ssm put-parameter --name "$full" --type SecureString --value "$value" --overwrite \
      --description "Kyperian $env_name secret (deploy.sh secrets)" >/dev/null
    echo "  written   $full"
  done
}

cmd_build() {
  need dotnet "the .NET 10 SDK"
  say "Publishing the Lambda bundle to $lambda_dir"
  rm -rf "$lambda_dir"
  dotnet publish src/Kyperian.Api/Kyperian.Api.csproj -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$lambda_dir" --nologo
  [ -f "$lambda_dir/Kyperian.Api.dll" ] || die "publish did not produce $lambda_dir/Kyperian.Api.dll"
}

cmd_image() {
  need docker "Docker with buildx, to build the engine image"
  say "Engine image → $registry/$repository"
  if ! aws ecr describe-repositories --repository-names "$repository" >/dev/null 2>&1; then
    aws ecr create-repository --repository-name "$repository" \
      --image-scanning-configuration scanOnPush=true --encryption-configuration encryptionType=AES256 >/dev/null
    echo "  created ECR repository $repository"
  fi
  local tag
  tag=$(git rev-parse --short=12 HEAD 2>/dev/null || echo build)
  if [ -n "$(git status --porcelain 2>/dev/null)" ]; then tag="$tag-$(date -u +%Y%m%d%H%M%S)"; fi
  aws ecr get-login-password | docker login --username AWS --password-stdin "$registry" >/dev/null
  docker build --platform linux/amd64 -f Dockerfile.engine -t "$registry/$repository:$tag" -t "$registry/$repository:latest" .
  docker push "$registry/$repository:$tag"
  docker push "$registry/$repository:latest"
  echo "  pushed $registry/$repository:$tag"
  # By digest: exactly these bytes, whatever later happens to the tags.
  local digest image
  digest=$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
    --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)
  case "$digest" in
    sha256:*) image="$registry/$repository@$digest" ;;
    *) image="$registry/$repository:$tag" ;;
  esac
  record_image "$image"
}

# The one place the image to roll out is kept: the next deploy, by this script or by `dotnet lambda
# deploy-serverless`, resolves the template's EngineImageParameter to it.
record_image() {
  aws ssm put-parameter --name "$image_parameter" --type String --value "$1" --overwrite \
    --description "Kyperian $env_name engine image (deploy.sh image)" >/dev/null
  echo "  recorded  $image_parameter = $1"
}

ensure_bucket() {
  bucket=${KYPERIAN_ARTIFACT_BUCKET:-kyperian-artifacts-$account-$region}
  if aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then return; fi
  if [ "$region" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$bucket" >/dev/null
  else
    aws s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region" >/dev/null
  fi
  aws s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  aws s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
  echo "  created artifact bucket s3://$bucket"
}

check_secrets() {
  local name missing=()
  for name in "${secrets[@]}"; do parameter_exists "$ssm_path/$name" || missing+=("$ssm_path/$name"); done
  [ ${#missing[@]} -eq 0 ] || die "missing SecureStrings: ${missing[*]} (run ./deploy.sh $env_name secrets)"
}

cmd_stack() {
  [ -f "$lambda_dir/Kyperian.Api.dll" ] || die "$lambda_dir is empty: run ./deploy.sh $env_name build"
  check_secrets
  if [ -n "${ENGINE_IMAGE_URI:-}" ]; then record_image "$ENGINE_IMAGE_URI"; fi
  parameter_exists "$image_parameter" || die "no engine image recorded in $image_parameter (run ./deploy.sh $env_name image)"
  ensure_bucket
  say "Stack $stack (engine image from $image_parameter)"
  local packaged="artifacts/$stack.packaged.json"
  aws cloudformation package --template-file "$template" --s3-bucket "$bucket" --s3-prefix "$stack" \
    --output-template-file "$packaged" --use-json >/dev/null
  # Only what this script owns: every other parameter keeps the value it had (or its default on create).
  local parameters=("Environment=$env_name" "EngineImageParameter=$image_parameter")
  if [ -n "${ALERT_EMAIL:-}" ]; then parameters+=("AlertEmail=$ALERT_EMAIL"); fi
  # shellcheck disable=SC2206 # KYPERIAN_PARAMETERS is a space-separated list of Key=Value
  if [ -n "${KYPERIAN_PARAMETERS:-}" ]; then parameters+=(${KYPERIAN_PARAMETERS}); fi
  aws cloudformation deploy --template-file "$packaged" --stack-name "$stack" \
    --s3-bucket "$bucket" --s3-prefix "$stack" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --parameter-overrides "${parameters[@]}" \
    --tags Project=kyperian "Environment=$env_name" \
    --no-fail-on-empty-changeset
}

cmd_url() {
  local webhook passphrase
  webhook=$(output WebhookUrl)
  [ -n "$webhook" ] && [ "$webhook" != None ] || die "stack $stack has no WebhookUrl output (deployed?)"
  if [ "${KYPERIAN_REDACT:-0}" = 1 ]; then
    passphrase="<passphrase: $ssm_path/webhook/passphrase>"
  else
    passphrase=$(aws ssm get-parameter --name "$ssm_path/webhook/passphrase" --with-decryption \
      --query Parameter.Value --output text 2>/dev/null || echo '<your passphrase>')
  fi
  cat <<EOF

Webhook URL (TradingView → alert → Notifications → Webhook URL):
  $webhook

Alert message (TradingView → alert → Message), for a strategy:
  {"passphrase":"$passphrase","symbol":"{{ticker}}","exchange":"{{exchange}}","action":"{{strategy.order.action}}","timeframe":"{{interval}}","price":{{close}},"time":"{{timenow}}","confidence":70}

  For an indicator alert write the action yourself ("action":"buy" or "sell"). Or keep the passphrase out of the
  message and use the URL $webhook?token=$passphrase
  Try a message first: POST it to ${webhook%/webhook}/validate

Dashboards:
  $(output MainDashboardUrl)
  $(output TradingDashboardUrl)
EOF
}

cmd_status() {
  say "Stack $stack"
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query 'Stacks[0].[StackStatus, LastUpdatedTime || CreationTime]' --output text || die "no stack $stack"
  aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs[].[OutputKey, OutputValue]' --output table
  say "Engine (image recorded in $image_parameter: $(aws ssm get-parameter --name "$image_parameter" --query Parameter.Value --output text 2>/dev/null || echo none))"
  aws ecs describe-services --cluster "$(output EngineClusterName)" --services "$(output EngineServiceName)" \
    --query 'services[0].{running:runningCount, desired:desiredCount, pending:pendingCount, rollout:deployments[0].rolloutState}' --output table
  say "Queues (visible messages)"
  local name url
  for name in SignalQueueName DeadLetterQueueName; do
    url=$(aws sqs get-queue-url --queue-name "$(output "$name")" --query QueueUrl --output text)
    printf '  %-22s %s\n' "$(output "$name")" \
      "$(aws sqs get-queue-attributes --queue-url "$url" --attribute-names ApproximateNumberOfMessages --query Attributes.ApproximateNumberOfMessages --output text)"
  done
  say "Alarms in ALARM"
  aws cloudwatch describe-alarms --alarm-name-prefix "$stack-" --state-value ALARM --query 'MetricAlarms[].AlarmName' --output text
}

cmd_restart() {
  local fn version cluster service
  fn=$(output FunctionName)
  say "Function $fn: new version from the same code, alias live moved to it (fresh instances read Parameter Store)"
  aws lambda update-function-configuration --function-name "$fn" \
    --description "Kyperian webhook API (role api), restarted $(date -u +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
  aws lambda wait function-updated --function-name "$fn"
  version=$(aws lambda publish-version --function-name "$fn" --query Version --output text)
  aws lambda update-alias --function-name "$fn" --name live --function-version "$version" >/dev/null
  cluster=$(output EngineClusterName)
  service=$(output EngineServiceName)
  say "Engine $service: rolling deployment"
  aws ecs update-service --cluster "$cluster" --service "$service" --force-new-deployment >/dev/null
  echo "  done; ./deploy.sh $env_name status shows the rollout"
}

cmd_delete() {
  if [ "${KYPERIAN_YES:-0}" != 1 ]; then
    read -r -p "Delete stack $stack and all its data (tables, queues, cache)? Type '$env_name' to confirm: " answer
    [ "$answer" = "$env_name" ] || die "not confirmed"
  fi
  if [ "$env_name" = production ]; then
    echo "  production tables have deletion protection: turning it off"
    local table
    for table in SignalsTableName DecisionsTableName RiskTableName; do
      table=$(output "$table")
      [ -n "$table" ] && [ "$table" != None ] && aws dynamodb update-table --table-name "$table" --no-deletion-protection-enabled >/dev/null || true
    done
  fi
  say "Deleting stack $stack"
  aws cloudformation delete-stack --stack-name "$stack"
  aws cloudformation wait stack-delete-complete --stack-name "$stack"
  echo "  deleted"
  if [ "${KYPERIAN_PURGE:-0}" = 1 ]; then
    aws ecr delete-repository --repository-name "$repository" --force >/dev/null 2>&1 && echo "  deleted ECR repository $repository" || true
    local name
    for name in "${secrets[@]}" deploy/engine-image; do
      aws ssm delete-parameter --name "$ssm_path/$name" >/dev/null 2>&1 && echo "  deleted $ssm_path/$name" || true
    done
  else
    echo "  kept: ECR repository $repository, the SecureStrings and the engine image record under $ssm_path (KYPERIAN_PURGE=1 deletes them)"
  fi
}

case "$verb" in
  deploy)
    aws_setup
    cmd_secrets
    cmd_build
    if [ -z "${ENGINE_IMAGE_URI:-}" ]; then cmd_image; fi
    cmd_stack
    cmd_url
    ;;
  secrets) aws_setup; cmd_secrets ;;
  build) cmd_build ;;
  image) aws_setup; cmd_image ;;
  stack) aws_setup; cmd_stack; cmd_url ;;
  url) aws_setup; cmd_url ;;
  status) aws_setup; cmd_status ;;
  restart) aws_setup; cmd_restart ;;
  delete) aws_setup; cmd_delete ;;
  -h | --help | help) usage 0 ;;
  *) die "unknown verb '$verb' (deploy, delete, status, secrets, build, image, stack, url, restart)" ;;
esac
