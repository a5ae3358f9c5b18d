"""Signs in to the proxy and prints the session cookie and the CSRF token, one per line."""

import json
import sys
import urllib.request

origin, username, password = sys.argv[1:4]
request = urllib.request.Request(
    f"{origin}/auth/login",
    data=json.dumps({"username": username, "password": password}).encode(),
    headers={"Content-Type": "application/json", "X-Requested-With": "openmoney-console", "Origin": origin},
)
with urllib.request.urlopen(request) as response:
    cookies = response.headers.get_all("Set-Cookie")
    session = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("__Host-om_session="))
    print(session)
    print(json.load(response)["data"]["csrf_token"])
