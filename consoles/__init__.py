"""Remote consoles (Nova's nova-consoleauth and nova-novncproxy): the tokens that authorize a
console connection (``tokens.py``), the service that hands out console URLs (``remote.py``),
the API views (``api/``) and the WebSocket proxy between a browser and a guest's VNC server
(``proxy.py``, run by ``manage.py novncproxy``)."""
