import pytest


@pytest.fixture
def live_url(live_server):
    return live_server.url


@pytest.fixture
def login(page, live_url):
    """Sign in through the real login form, using the keyboard."""

    def do(username: str, password: str) -> None:
        page.goto(f"{live_url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    return do
