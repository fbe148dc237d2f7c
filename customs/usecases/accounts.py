"""Console accounts: create, list and disable people, enrol a second factor, sign in and out,
resume a session from its cookie."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.services import accounts, saved_views
from customs.services.account_ports import SavedView, UserRecord
from customs.services.accounts import AccountRules, ConsoleSession, SignIn
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Accounts:
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    rules: AccountRules

    def create_user(self, email: str, role: str, *, offices: list[str] | None = None,
                    tenant: str | None = None, locale: str = "ru",
                    password: str | None = None) -> tuple[UserRecord, str | None]:
        return accounts.create_user(email, role, uow=self.uow_factory(), clock=self.clock,
                                    rules=self.rules, offices=offices, tenant=tenant,
                                    locale=locale, password=password)

    def list_users(self) -> list[UserRecord]:
        return accounts.list_users(uow=self.uow_factory())

    def disable_user(self, email: str) -> int:
        return accounts.disable_user(email, uow=self.uow_factory(), clock=self.clock)

    def enrol_totp(self, email: str) -> tuple[str, str]:
        return accounts.enrol_totp(email, uow=self.uow_factory(), clock=self.clock,
                                   rules=self.rules)

    def start_totp(self, user_id: int) -> tuple[str, str]:
        return accounts.start_totp(user_id, uow=self.uow_factory(), rules=self.rules)

    def confirm_totp(self, user_id: int, secret: str, password: str, code: str) -> SignIn:
        return accounts.confirm_totp(user_id, secret, password, code, uow=self.uow_factory(),
                                     clock=self.clock, rules=self.rules)

    def sign_in(self, email: str, password: str) -> SignIn:
        return accounts.sign_in(email, password, uow=self.uow_factory(), clock=self.clock,
                                rules=self.rules)

    def confirm_code(self, token: str, code: str) -> SignIn:
        return accounts.confirm_code(token, code, uow=self.uow_factory(), clock=self.clock,
                                     rules=self.rules)

    def resume(self, token: str) -> ConsoleSession | None:
        return accounts.resume(token, uow=self.uow_factory(), clock=self.clock,
                               policy=self.rules.policy)

    def sign_out(self, token: str, everywhere: bool = False) -> int:
        return accounts.sign_out(token, uow=self.uow_factory(), clock=self.clock,
                                 everywhere=everywhere)

    def change_password(self, user_id: int, current: str, new: str) -> None:
        accounts.change_password(user_id, current, new, uow=self.uow_factory(),
                                 clock=self.clock, rules=self.rules)

    def set_locale(self, user_id: int, locale: str) -> None:
        accounts.set_locale(user_id, locale, uow=self.uow_factory())

    def save_view(self, user_id: int, page: str, name: str, query: str) -> SavedView:
        return saved_views.save_view(user_id, page, name, query, uow=self.uow_factory(),
                                     clock=self.clock)

    def views(self, user_id: int, page: str) -> list[SavedView]:
        return saved_views.list_views(user_id, page, uow=self.uow_factory())

    def delete_view(self, user_id: int, view_id: int) -> None:
        saved_views.delete_view(user_id, view_id, uow=self.uow_factory())
