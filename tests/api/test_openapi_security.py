"""The OpenAPI document declares how to send a key, on the operations that need one."""


def test_the_api_key_header_and_bearer_are_declared(secured):
    doc = secured.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                 "description": "an API key, `tm_<id>_<secret>`"}
    assert schemes["Bearer"]["type"] == "http" and schemes["Bearer"]["scheme"] == "bearer"
    search = doc["paths"]["/v1/search"]["post"]
    assert {"ApiKey": []} in search["security"] and {"Bearer": []} in search["security"]
    assert "security" not in doc["paths"]["/healthz"]["get"]
    assert "security" not in doc["paths"]["/v1/taxonomy"]["get"]
