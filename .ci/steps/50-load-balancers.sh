# Real load balancers in front of two wxo-mcp replicas: HAProxy and nginx from the Debian
# archive, then tests/e2e/test_load_balancer.py (it skipped in the pytest section above when
# they were not installed yet). Service start-up is blocked while installing (policy-rc.d), so
# no packaged nginx or HAProxy is left listening on port 80; the tests start their own.
section "Load balancers (apt: haproxy, nginx) and the replica tests behind them"
lb_missing() { ! command -v "$1" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$1" ]]; }
if lb_missing haproxy || lb_missing nginx; then
  command -v apt-get >/dev/null 2>&1 || fail "haproxy and nginx are needed, and there is no apt-get"
  POLICY_ADDED=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    POLICY_ADDED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    haproxy nginx-light >/dev/null
  [[ -n "$POLICY_ADDED" ]] && rm -f /usr/sbin/policy-rc.d
fi
lb_missing haproxy && fail "haproxy is not installed"
lb_missing nginx && fail "nginx is not installed"
echo "  $(/usr/sbin/haproxy -v 2>/dev/null | head -n 1 || haproxy -v | head -n 1)"
echo "  $( (/usr/sbin/nginx -v || nginx -v) 2>&1 | head -n 1)"
uv run pytest -q -p no:randomly tests/e2e/test_load_balancer.py -rs
