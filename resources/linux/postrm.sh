#!/bin/sh
# deb postrm for QuicEther: stop the helper on removal; keep the group, user and config unless
# purged (other machines' peers may still be configured against this node's identity).
set -e
if [ -d /run/systemd/system ]; then
  systemctl stop quicether-helper.service >/dev/null 2>&1 || true
  systemctl disable quicether-helper.service >/dev/null 2>&1 || true
  systemctl daemon-reload || true
fi
if [ "$1" = "purge" ]; then
  rm -rf /var/lib/quicether
  getent passwd quicether >/dev/null && deluser --system quicether >/dev/null 2>&1 || true
  getent group quicether >/dev/null && delgroup --system quicether >/dev/null 2>&1 || true
fi
exit 0
