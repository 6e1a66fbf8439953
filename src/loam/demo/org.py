"""The demo company's organisation: departments, roles and the seven demo users.

Used by `loam demo` and by the tests (the same org the access matrix is written against).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from loam.org import service as org_service
from loam.org.models import Department, User
from loam.org.schemas import DepartmentCreate, UserCreate

DEMO_PASSWORD = "loam-demo"  # noqa: S105 - demo only; `loam serve --prod` refuses LOAM_DEMO


@dataclass
class DemoOrg:
    company: Department
    region: Department
    office: Department
    account: Department
    team1: Department
    team2: Department
    finance: Department
    admin: User
    director: User
    ar1: User
    ar2: User
    sr1: User
    fr1: User
    finance1: User


def build(session: Session, password: str = DEMO_PASSWORD) -> DemoOrg:
    """Create the org tree, the built-in roles and the demo users (ar1 and ar2 in different teams)."""
    roles = org_service.ensure_builtin_roles(session)

    def dept(name: str, kind: str, parent: Department | None) -> Department:
        return org_service.create_department(
            session, DepartmentCreate(name=name, kind=kind, parent_id=parent.id if parent else None)
        )

    company = dept("壤土科技有限公司", "company", None)
    region = dept("中国南部地区部", "region", company)
    office = dept("广西代表处", "office", region)
    account = dept("广西电信系统部", "account", office)
    team1 = dept("南宁客户群一组", "team", account)
    team2 = dept("柳州客户群二组", "team", account)
    finance = dept("市场财经部", "team", office)

    def user(username: str, name: str, department: Department, role: str, manager: User | None = None) -> User:
        return org_service.create_user(
            session,
            UserCreate(
                username=username,
                display_name=name,
                email=f"{username}@loam.example.com",
                password=password,
                department_id=department.id,
                manager_id=manager.id if manager else None,
                role_ids=[roles[role].id],
            ),
        )

    admin = user("admin", "系统管理员", company, "admin")
    director = user("director", "王建国", account, "director")
    account.head_user_id = director.id
    ar1 = user("ar1", "李明", team1, "ar", director)
    ar2 = user("ar2", "张伟", team2, "ar", director)
    sr1 = user("sr1", "陈静", team1, "sr", director)
    fr1 = user("fr1", "刘洋", team1, "fr", director)
    finance1 = user("finance1", "赵敏", finance, "finance")
    session.flush()
    return DemoOrg(
        company, region, office, account, team1, team2, finance, admin, director, ar1, ar2, sr1, fr1, finance1
    )
