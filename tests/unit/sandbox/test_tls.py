from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from sandbox.tls import make_chain


def test_the_chain_is_a_ca_with_a_loopback_server_and_a_client(tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "tls")
    ca = x509.load_pem_x509_certificate(Path(chain.ca).read_bytes())
    server = x509.load_pem_x509_certificate(Path(chain.server_cert).read_bytes())
    client = x509.load_pem_x509_certificate(Path(chain.client_cert).read_bytes())
    for leaf in (server, client):
        leaf.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert Path(chain.client_key).stat().st_mode & 0o077 == 0  # private keys are not world-readable
    # both pairs load as Python's ssl module will use them
    ssl.create_default_context(cafile=chain.ca).load_cert_chain(chain.client_cert, chain.client_key)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(chain.server_cert, chain.server_key)
