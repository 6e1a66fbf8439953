"""The caller, resolved once per request into an immutable Scope (DESIGN.md R9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from loam.authz.permissions import Module, Permission


@dataclass(frozen=True)
class Scope:
    """Who is asking, what they may do, and whose records they may see.

    ``visible_owners[module]`` is the set of owner ids the caller sees through their data scope,
    or ``None`` for all. Team-member access and pool visibility are added by the repositories.
    """

    user_id: int | None
    department_id: int | None
    permissions: frozenset[str]
    visible_owners: Mapping[str, frozenset[int] | None] = field(default_factory=lambda: MappingProxyType({}))
    pool_ids: frozenset[int] = frozenset()
    locale: str = "zh_CN"
    is_system: bool = False
    display_name: str = ""
    username: str = ""

    @classmethod
    def system(cls) -> Scope:
        """The scope of Loam itself (jobs, rules, migrations): sees and may do everything."""
        return cls(
            user_id=None,
            department_id=None,
            permissions=frozenset(p.value for p in Permission),
            visible_owners=MappingProxyType({m.value: None for m in Module}),
            is_system=True,
            display_name="system",
            username="system",
        )

    def can(self, permission: Permission | str) -> bool:
        return self.is_system or str(permission) in self.permissions

    def owners(self, module: Module | str) -> frozenset[int] | None:
        """Owner ids visible through the data scope; ``None`` means every owner."""
        if self.is_system:
            return None
        return self.visible_owners.get(str(module), frozenset({self.user_id} if self.user_id else ()))

    def sees_owner(self, module: Module | str, owner_id: int | None) -> bool:
        owners = self.owners(module)
        return owners is None or (owner_id is not None and owner_id in owners)
