"""examples: reviewed examples per question, revocable overrides, example digests on grades

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:25:00.000000
"""

import sqlalchemy as sa
from alembic import op

import quizsvc.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("override_id", sa.Integer(), nullable=True),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_question_examples_score")),
        sa.CheckConstraint(
            "source IN ('bank', 'api', 'override', 'import')", name=op.f("ck_question_examples_source")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_question_examples_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_question_examples_question_id_questions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["override_id"],
            ["grade_overrides.id"],
            name=op.f("fk_question_examples_override_id_grade_overrides"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_examples")),
    )
    with op.batch_alter_table("question_examples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_examples_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_examples_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_examples_override_id"), ["override_id"], unique=True)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("examples_from_overrides", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.add_column(sa.Column("examples_digest", sa.String(length=64), server_default="", nullable=False))
    with op.batch_alter_table("grade_overrides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", quizsvc.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grade_overrides", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.drop_column("examples_digest")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("examples_from_overrides")
    with op.batch_alter_table("question_examples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_examples_override_id"))
        batch_op.drop_index(batch_op.f("ix_question_examples_question_id"))
        batch_op.drop_index(batch_op.f("ix_question_examples_organisation_id"))
    op.drop_table("question_examples")
