"""A bare BaseException subclass at import, which `except Exception` would miss."""


class Escape(BaseException):
    pass


raise Escape("stop grading now")
