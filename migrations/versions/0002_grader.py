"""grader: embedding cache and organisation parameters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:48:48.449121
"""

import sqlalchemy as sa
from alembic import op

import quizsvc.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embedding_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embedding_cache")),
        sa.UniqueConstraint("model_id", "text_hash", name=op.f("uq_embedding_cache_model_id_text_hash")),
    )
    op.create_table(
        "grader_parameters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", quizsvc.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_grader_parameters_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grader_parameters")),
    )
    with op.batch_alter_table("grader_parameters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grader_parameters_organisation_id"), ["organisation_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("grader_parameters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grader_parameters_organisation_id"))

    op.drop_table("grader_parameters")
    op.drop_table("embedding_cache")
