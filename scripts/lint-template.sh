#!/usr/bin/env bash
# Lints templates/serverless.template with cfn-lint (the AWS CloudFormation linter, Python, v1), which expands the SAM
# transform itself and checks every resource against the current CloudFormation schemas, offline.
#
# cfn-lint 1.x comes with this project's machines (pip, Python 3.11). Where it is missing the script installs it with
# pip; where pip cannot reach PyPI the run fails: no lint is skipped silently. The npm package named cfn-lint is not a
# substitute: its resource specification predates AWS::Events::EventBus and WAFv2, and it cannot parse the template.
#
# Fails on errors and warnings; informational findings are printed. Suppressions: none are needed today. Add one only
# for a named false positive, as `--ignore-checks RULE` below with a comment giving the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

template=templates/serverless.template

# pyenv's shims may be missing from PATH in a non-login shell: look where the machine's pip put it too.
for dir in "${PYENV_ROOT:-$HOME/.pyenv}/shims" /root/.pyenv/shims "$HOME/.local/bin"; do
  if ! command -v cfn-lint >/dev/null 2>&1 && [ -x "$dir/cfn-lint" ]; then PATH="$dir:$PATH"; fi
done
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "installing cfn-lint (pip)"
  python3 -m pip install --quiet 'cfn-lint>=1.20,<2' || { echo "cfn-lint is not installed and pip could not install it" >&2; exit 1; }
  export PATH="$(python3 -m site --user-base)/bin:$PATH"
fi

version=$(cfn-lint --version 2>&1 | sed -n 's/^cfn-lint \([0-9][0-9.]*\).*/\1/p')
case "$version" in
  1.*) ;;
  *) echo "cfn-lint 1.x expected, found '${version:-unknown}'" >&2; exit 1 ;;
esac

echo "cfn-lint $version: $template"
cfn-lint --format parseable --include-checks I --non-zero-exit-code warning --regions us-east-1 -- "$template"
echo "cfn-lint: no errors or warnings"
