"""Signing keys sealed at rest: the plaintext PEMs of earlier versions are sealed in place."""

from django.db import migrations, models


def seal_plaintext_keys(apps, schema_editor):
    from issuer.crypto import seal

    SigningKey = apps.get_model("issuer", "SigningKey")
    for key in SigningKey.objects.using(schema_editor.connection.alias).all():
        key.private_key_sealed = seal(key.private_key_pem)
        key.save(update_fields=["private_key_sealed"])


def unseal_keys(apps, schema_editor):
    from issuer.crypto import open_sealed

    SigningKey = apps.get_model("issuer", "SigningKey")
    for key in SigningKey.objects.using(schema_editor.connection.alias).all():
        key.private_key_pem = open_sealed(key.private_key_sealed)
        key.save(update_fields=["private_key_pem"])


class Migration(migrations.Migration):
    dependencies = [("issuer", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="signingkey",
            name="private_key_sealed",
            field=models.TextField(default="", help_text="PKCS#8 PEM, sealed with the key-encryption key."),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="signingkey", name="private_key_pem", field=models.TextField(default="")
        ),
        migrations.RunPython(seal_plaintext_keys, unseal_keys),
        migrations.RemoveField(model_name="signingkey", name="private_key_pem"),
    ]
