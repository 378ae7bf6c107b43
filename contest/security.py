"""Security headers on every answer: CSP without inline scripts, no sniffing, no framing."""

from urllib.parse import urlsplit


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(config):
    """The CSP: our own scripts only; media, images and uploads may also use the bucket or CDN."""
    storage = [
        o
        for o in (_origin(config.get("S3_ENDPOINT_URL")), _origin(config.get("MEDIA_BASE_URL")))
        if o
    ]
    if config.get("STORAGE") == "s3" and not config.get("S3_ENDPOINT_URL"):
        storage.append("https://*.amazonaws.com")
    extra = " ".join(storage)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {extra}".strip(),
            f"media-src 'self' blob: {extra}".strip(),  # blob: the upload page's preview
            f"connect-src 'self' ws: wss: {extra}".strip(),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app):
    policy = content_security_policy(app.config)

    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        return response
