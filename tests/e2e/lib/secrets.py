#!/usr/bin/python3
"""Lists the items of the Secret Service's default collection on the session bus as JSON:
[{"label", "attributes", "secret"}] (plain session; only for the tests' throwaway keyring)."""
import json

import dbus

bus = dbus.SessionBus()
SS = "org.freedesktop.secrets"
service = dbus.Interface(bus.get_object(SS, "/org/freedesktop/secrets"), "org.freedesktop.Secret.Service")
_, session = service.OpenSession("plain", dbus.String("", variant_level=1))
collection = bus.get_object(SS, "/org/freedesktop/secrets/aliases/default")
items = collection.Get("org.freedesktop.Secret.Collection", "Items", dbus_interface=dbus.PROPERTIES_IFACE)
out = []
for path in items:
    obj = bus.get_object(SS, path)
    props = dbus.Interface(obj, dbus.PROPERTIES_IFACE)
    secret = dbus.Interface(obj, "org.freedesktop.Secret.Item").GetSecret(session)
    out.append({
        "label": str(props.Get("org.freedesktop.Secret.Item", "Label")),
        "attributes": {str(k): str(v) for k, v in props.Get("org.freedesktop.Secret.Item", "Attributes").items()},
        "secret": bytes(secret[2]).decode("utf-8", "replace"),
    })
print(json.dumps(out))
