#!/bin/sh
# deb postinst for QuicEther: the `quicether` system group and user, then the helper service.
# Members of the `quicether` group may drive the helper (connect, toggle interfaces); everyone
# else gets read-only status at most (SECURITY S1). Idempotent: safe on upgrade and reinstall.
set -e

if ! getent group quicether >/dev/null; then
  addgroup --system quicether
fi
if ! getent passwd quicether >/dev/null; then
  adduser --system --ingroup quicether --no-create-home --home /var/lib/quicether \
    --shell /usr/sbin/nologin --gecos "QuicEther helper" quicether
fi

# The user who installed the package (sudo apt install ...) is the one who will use it.
if [ -n "${SUDO_USER:-}" ] && [ "${SUDO_USER}" != "root" ] && getent passwd "${SUDO_USER}" >/dev/null; then
  if ! id -nG "${SUDO_USER}" | tr ' ' '\n' | grep -qx quicether; then
    usermod -aG quicether "${SUDO_USER}"
    echo "QuicEther: added ${SUDO_USER} to the quicether group (log out and back in to take effect)."
  fi
fi

install -d -m 0750 -o root -g quicether /etc/quicether

# The Electron sandbox helper must be setuid root where user namespaces are restricted.
if [ -f /opt/QuicEther/chrome-sandbox ]; then
  chown root:root /opt/QuicEther/chrome-sandbox
  chmod 4755 /opt/QuicEther/chrome-sandbox
fi

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable quicether-helper.service >/dev/null 2>&1 || true
  # Start only when configured: without a config the helper would exit at once.
  if [ -f /etc/quicether/config.toml ]; then
    systemctl restart quicether-helper.service || true
  else
    echo "QuicEther: write /etc/quicether/config.toml, then: sudo systemctl start quicether-helper"
  fi
fi

exit 0
